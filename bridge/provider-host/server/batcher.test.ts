import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher.js";
import { setTimeout as sleep } from "node:timers/promises";

describe("Batcher", () => {
  it("gathers what arrives together, never mixes groups, and runs at most `concurrency` batches at once", async () => {
    const batches: string[][] = [];
    let running = 0;
    let maxRunning = 0;
    const batcher = new Batcher<string>({
      gatherMs: 20,
      maxBatch: 3,
      concurrency: 2,
      log: () => undefined,
      run: async (items) => {
        batches.push(items);
        maxRunning = Math.max(maxRunning, ++running);
        await sleep(60);
        running--;
      },
    });
    for (const item of ["a1", "a2", "b1", "a3", "a4"]) batcher.submit({ group: item[0]!, item });
    await sleep(10);
    batcher.submit({ group: "a", item: "a5" });
    while (batcher.busy) await sleep(10);
    expect(batches.flat().sort()).toEqual(["a1", "a2", "a3", "a4", "a5", "b1"]);
    for (const batch of batches) expect(new Set(batch.map((i) => i[0])).size).toBe(1);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    // Five of group a queued with two run slots free, one of them taken by b: spread as 3 now and 2 next.
    expect(batches).toContainEqual(["a1", "a2", "a3"]);
    expect(batches).toContainEqual(["a4", "a5"]);
    expect(maxRunning).toBe(2);
  });

  it("waits for operations on their way (a cold burst), up to maxGatherMs, instead of starting with the first", async () => {
    const batches: string[][] = [];
    let onTheirWay = 3;
    const batcher = new Batcher<string>({
      gatherMs: 5,
      maxGatherMs: 2000,
      expected: () => onTheirWay,
      maxBatch: 50,
      concurrency: 2,
      log: () => undefined,
      run: async (items) => void batches.push(items),
    });
    batcher.submit({ group: "g", item: "first" });
    for (const item of ["second", "third", "fourth"]) {
      await sleep(40);
      onTheirWay--;
      batcher.submit({ group: "g", item });
    }
    while (batcher.busy) await sleep(5);
    // All four together, spread over both run slots (the second slot's batch may be handed to `run` first).
    expect([...batches].sort()).toEqual([
      ["first", "second"],
      ["third", "fourth"],
    ]);

    // Nobody comes: the lone operation starts once maxGatherMs has passed.
    const lone: string[][] = [];
    const started = Date.now();
    const waiting = new Batcher<string>({
      gatherMs: 5,
      maxGatherMs: 150,
      expected: () => 1,
      maxBatch: 50,
      concurrency: 2,
      log: () => undefined,
      run: async (items) => void lone.push(items),
    });
    waiting.submit({ group: "g", item: "alone" });
    while (waiting.busy) await sleep(5);
    expect(lone).toEqual([["alone"]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("counts announced operations (received, their records still being marked) as on their way", async () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>({
      gatherMs: 5,
      maxGatherMs: 2000,
      // The host's leaseholders without a run: none, as at a cold burst once every run has arrived.
      expected: () => 0,
      maxBatch: 50,
      concurrency: 2,
      log: () => undefined,
      run: async (items) => void batches.push(items),
    });
    const announcements = ["a", "b", "c", "d"].map((item) => ({ item, arrived: batcher.announce() }));
    const [first, ...rest] = announcements;
    first!.arrived();
    batcher.submit({ group: "g", item: first!.item });
    await sleep(60);
    expect(batches).toEqual([]);
    for (const { item, arrived } of rest) {
      arrived();
      arrived(); // once only
      batcher.submit({ group: "g", item });
    }
    while (batcher.busy) await sleep(5);
    expect([...batches].sort()).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("waits for the rest of a burst until every free slot could start a whole batch", async () => {
    const batches: string[][] = [];
    let onTheirWay = 8;
    const batcher = new Batcher<string>({
      gatherMs: 5,
      maxGatherMs: 2000,
      expected: () => onTheirWay,
      maxBatch: 5,
      concurrency: 2,
      log: () => undefined,
      run: async (items) => {
        batches.push(items);
        await sleep(50);
      },
    });
    // 6 queued is more than one batch but less than the two slots' 10: the 4 still on their way are waited for.
    for (let i = 0; i < 6; i++) batcher.submit({ group: "g", item: `early${i}` });
    await sleep(60);
    expect(batches).toEqual([]);
    for (let i = 0; i < 4; i++) {
      onTheirWay--;
      batcher.submit({ group: "g", item: `late${i}` });
    }
    while (batcher.busy) await sleep(5);
    expect(batches.map((b) => b.length)).toEqual([5, 5]);
  });

  it("keeps going after a failed batch", async () => {
    const seen: string[] = [];
    const batcher = new Batcher<string>({
      gatherMs: 5,
      maxBatch: 10,
      concurrency: 1,
      log: () => undefined,
      run: async (items) => {
        seen.push(...items);
        if (items.includes("boom")) throw new Error("boom");
      },
    });
    batcher.submit({ group: "g", item: "boom" });
    await sleep(20);
    batcher.submit({ group: "g", item: "after" });
    while (batcher.busy) await sleep(5);
    expect(seen).toEqual(["boom", "after"]);
  });
});
