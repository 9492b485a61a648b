// Engine slots across real processes: the bound holds for a burst of bridge-like processes, and slots of
// processes that died holding them are reclaimed.
import { execa } from "execa";
import { readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { dir as tmpDir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { acquireEngineSlot, engineSlotCount } from "./engine-slots.js";
import { tryAcquireLock } from "./lock-file.js";
import { processStart } from "./process-identity.js";

const slotsModule = resolve(dirname(fileURLToPath(import.meta.url)), "../../dist/bridge/machine/engine-slots.js");

async function deadPid(): Promise<number> {
  const child = execa(process.execPath, ["-e", ""]);
  const pid = child.pid!;
  await child;
  return pid;
}

describe("engine slots", () => {
  it("never lets more processes than slots run at once, and lets that many run", async () => {
    const { path: dir, cleanup } = await tmpDir({ unsafeCleanup: true });
    const script = `
      import { acquireEngineSlot } from ${JSON.stringify(slotsModule)};
      const release = await acquireEngineSlot({ slots: 2, dir: ${JSON.stringify(dir)} });
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 800));
      const end = Date.now();
      await release();
      process.stdout.write(JSON.stringify({ start, end }));
    `;
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => execa(process.execPath, ["--input-type=module", "-e", script])),
    );
    const spans = runs.map((r) => JSON.parse(r.stdout) as { start: number; end: number });
    const overlapAt = (t: number) => spans.filter((s) => s.start <= t && t < s.end).length;
    const peak = Math.max(...spans.map((s) => overlapAt(s.start)));
    expect(peak).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    await cleanup();
  });

  it("reclaims slots held by processes that died", async () => {
    const { path: dir, cleanup } = await tmpDir({ unsafeCleanup: true });
    const pid = await deadPid();
    await writeFile(join(dir, "slot-0.lock"), JSON.stringify({ pid, start: "1", token: "dead" }));
    const started = Date.now();
    const release = await acquireEngineSlot({ slots: 1, dir });
    expect(Date.now() - started).toBeLessThan(2000);
    await release();
    await cleanup();
  });

  it("does not take a slot a live process holds", async () => {
    const { path: dir, cleanup } = await tmpDir({ unsafeCleanup: true });
    const held = await tryAcquireLock(join(dir, "slot-0.lock"));
    expect(held).not.toBeNull();
    expect(await tryAcquireLock(join(dir, "slot-0.lock"))).toBeNull();
    // Same pid but a different start time is a reused pid, not the holder.
    await writeFile(
      join(dir, "slot-1.lock"),
      JSON.stringify({ pid: process.pid, start: `${processStart(process.pid)}9`, token: "x" }),
    );
    expect(await tryAcquireLock(join(dir, "slot-1.lock"))).not.toBeNull();
    await held!.release();
    await cleanup();
  });

  it("takes its bound from NIXOPS4_OPENTOFU_ENGINE_SLOTS, else the core count", () => {
    expect(engineSlotCount({ NIXOPS4_OPENTOFU_ENGINE_SLOTS: "3" })).toBe(3);
    expect(engineSlotCount({ NIXOPS4_OPENTOFU_ENGINE_SLOTS: "nonsense" })).toBeGreaterThanOrEqual(1);
    expect(engineSlotCount({}, 5)).toBe(5);
  });
});
