// A machine-wide bound on concurrent engine runs across all bridge processes. NixOps4 starts a bridge per
// resource operation and runs independent resources at once; each engine process holding a big provider schema
// peaks at hundreds of MB and the machine has few cores, so a burst of bridges should queue, not thrash.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { engineSlotsSetting } from "../options.js";
import { ensurePrivateDir, runtimeDir } from "./runtime-dir.js";
import { tryAcquireLock } from "./lock-file.js";
import { setTimeout as sleep } from "node:timers/promises";

export interface EngineSlotOptions {
  env?: NodeJS.ProcessEnv;
  /** Number of slots; default NIXOPS4_OPENTOFU_ENGINE_SLOTS or the number of cores. */
  slots?: number;
  /** Directory holding the slot locks; default `<runtime dir>/engine-slots`. */
  dir?: string;
  log?: (line: string) => void;
}

export function engineSlotCount(env: NodeJS.ProcessEnv, explicit?: number): number {
  if (explicit !== undefined) return Math.max(1, Math.floor(explicit));
  return engineSlotsSetting(env) ?? Math.max(1, availableParallelism());
}

/** Waits for a free slot and returns its release function. Slots of crashed processes are reclaimed. */
export async function acquireEngineSlot(options: EngineSlotOptions = {}): Promise<() => Promise<void>> {
  const env = options.env ?? process.env;
  const slots = engineSlotCount(env, options.slots);
  const dir = await ensurePrivateDir(options.dir ?? join(runtimeDir(env), "engine-slots"));
  let announced = false;
  const started = Date.now();
  for (;;) {
    // Random starting slot: waiters do not all contend for slot 0 first.
    const first = Math.floor(Math.random() * slots);
    for (let i = 0; i < slots; i++) {
      const slot = (first + i) % slots;
      const lock = await tryAcquireLock(join(dir, `slot-${slot}.lock`));
      if (lock) {
        if (announced) options.log?.(`engine slot ${slot} acquired after ${Date.now() - started} ms`);
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          await lock.release();
        };
      }
    }
    if (!announced) {
      options.log?.(`all ${slots} engine slots busy; waiting (NIXOPS4_OPENTOFU_ENGINE_SLOTS sets the bound)`);
      announced = true;
    }
    await sleep(50 + Math.random() * 100);
  }
}
