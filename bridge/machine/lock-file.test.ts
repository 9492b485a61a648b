import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LockWaitError, lockOwner, tryAcquireLock, waitForLock } from "./lock-file.js";
import { identityOf } from "./process-identity.js";

let dir: DirectoryResult;
let path: string;
beforeEach(async () => {
  dir = await tmpDir({ unsafeCleanup: true });
  path = join(dir.path, "x.lock");
});
afterEach(() => dir.cleanup());

/** A lock file as another process would have written it. */
const foreign = (pid: number, start: string | undefined) =>
  writeFileSync(path, JSON.stringify({ pid, start, token: "theirs" }));

describe("tryAcquireLock", () => {
  it("gives the lock to one taker at a time and names this process as the holder", async () => {
    const first = await tryAcquireLock(path);
    expect(first).not.toBeNull();
    expect(await tryAcquireLock(path)).toBeNull();
    expect(await lockOwner(path)).toEqual(identityOf(process.pid));
    expect(JSON.parse(readFileSync(path, "utf8")).token).toBe(first!.token);
    await first!.release();
    expect(await lockOwner(path)).toBeUndefined();
    const again = await tryAcquireLock(path);
    expect(again).not.toBeNull();
    await again!.release();
    // no temp or aside files are left behind
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it("reclaims a lock whose owner is dead (a pid reused by another process counts as dead)", async () => {
    foreign(process.pid, "0");
    expect(await lockOwner(path)).toBeUndefined();
    const lock = await tryAcquireLock(path);
    expect(lock).not.toBeNull();
    expect(await lock!.stillHeld()).toBe(true);
  });

  it("leaves a live owner's lock alone, and a release by someone else's handle does not remove it", async () => {
    const mine = (await tryAcquireLock(path))!;
    foreign(1, identityOf(1).start);
    expect(await mine.stillHeld()).toBe(false);
    await mine.release();
    expect((await lockOwner(path))?.pid).toBe(1);
    expect(await tryAcquireLock(path)).toBeNull();
  });

  it("treats an unparsable lock file as held", async () => {
    writeFileSync(path, "not json");
    expect(await tryAcquireLock(path)).toBeNull();
  });
});

describe("waitForLock", () => {
  it("waits for a live holder's release", async () => {
    const held = (await tryAcquireLock(path))!;
    const waits: (number | undefined)[] = [];
    const waiting = waitForLock(path, { waitMs: 5000, pollMs: 10, what: "the x", onWait: (o) => waits.push(o?.pid) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await held.release();
    const lock = await waiting;
    expect(await lock.stillHeld()).toBe(true);
    expect(waits).toEqual([process.pid]);
  });

  it("gives up after the bound with an error naming what and who holds it", async () => {
    foreign(1, identityOf(1).start);
    const started = Date.now();
    const error = await waitForLock(path, { waitMs: 100, pollMs: 10, what: "the plugin cache /c" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LockWaitError);
    expect((error as LockWaitError).message).toMatch(/^the plugin cache \/c is held by process 1, .* within 0 s/);
    expect((error as LockWaitError).owner?.pid).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});
