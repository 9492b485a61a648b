// One operation per resource at a time, across bridge processes and provider hosts: a lock file per resource
// identity beside its record. The project's process-identity locks (lock-file.ts) name their owner by pid and
// start time, so a killed bridge's lock is taken over at once instead of after a staleness timeout; a live
// holder makes the next operation wait, up to a bound, then refuse.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { lockOwner, tryAcquireLock, type HeldLock } from "../machine/lock-file.js";
import { recordsDir } from "./operation-records.js";

export class ResourceBusyError extends Error {}

export function lockPath(stateDir: string, id: string): string {
  return join(recordsDir(stateDir), `${id}.lock`);
}

export async function lockResource(options: {
  stateDir: string;
  id: string;
  label: string;
  waitMs: number;
  log: (line: string) => void;
}): Promise<HeldLock> {
  await mkdir(recordsDir(options.stateDir), { recursive: true, mode: 0o700 });
  const path = lockPath(options.stateDir, options.id);
  const deadline = Date.now() + options.waitMs;
  let announced = false;
  for (;;) {
    const lock = await tryAcquireLock(path);
    if (lock) return lock;
    const owner = await lockOwner(path);
    if (Date.now() >= deadline) {
      throw new ResourceBusyError(
        `${options.label}: another operation on this resource is running (process ${owner?.pid ?? "?"}) and did not ` +
          `finish within ${Math.round(options.waitMs / 1000)} s (NIXOPS4_OPENTOFU_WAIT_SECONDS); nothing was started. ` +
          `Run again once it has finished (its record: nixops4-opentofu pending show ${options.id})`,
      );
    }
    if (!announced) {
      options.log(
        `${options.label}: waiting for the operation of process ${owner?.pid ?? "?"} on the same resource to finish`,
      );
      announced = true;
    }
    await sleep(100 + Math.random() * 100);
  }
}

/** The live process holding a resource's lock, if any (`pending forget` refuses then). */
export function resourceLockOwner(stateDir: string, id: string) {
  return lockOwner(lockPath(stateDir, id));
}
