import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openWaitingRoom, waitInRoom } from "./waiting-room.js";

const dir = mkdtempSync(join(tmpdir(), "room-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("waiting room", () => {
  it("keeps every waiter until the room closes, then lets them all go at once", async () => {
    const path = join(dir, "a.wait.sock");
    const room = await openWaitingRoom(path);
    let released = 0;
    const waiters = Array.from({ length: 20 }, () => waitInRoom(path, 10_000).then((v) => (released++, v)));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(released).toBe(0);
    const closedAt = Date.now();
    await room.close();
    expect(await Promise.all(waiters)).toEqual(Array.from({ length: 20 }, () => true));
    expect(Date.now() - closedAt).toBeLessThan(1000);
    // Closed rooms are gone: a late waiter does not wait.
    expect(await waitInRoom(path, 10_000)).toBe(false);
  });

  it("answers false at once when there is no room, and true after the bound when it stays open", async () => {
    const started = Date.now();
    expect(await waitInRoom(join(dir, "none.wait.sock"), 10_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    const path = join(dir, "b.wait.sock");
    const room = await openWaitingRoom(path);
    const bounded = Date.now();
    expect(await waitInRoom(path, 200)).toBe(true);
    expect(Date.now() - bounded).toBeGreaterThanOrEqual(190);
    await room.close();
  });

  it("opens over a file a dead starter left behind", async () => {
    const path = join(dir, "c.wait.sock");
    // A dead starter's socket file stays where it was; nobody listens on it.
    writeFileSync(path, "");
    expect(await waitInRoom(path, 5_000)).toBe(false);
    const room = await openWaitingRoom(path);
    const waiting = waitInRoom(path, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await room.close();
    expect(await waiting).toBe(true);
  });
});
