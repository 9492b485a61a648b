// Starting a key's operation server when a bridge finds none (client.ts): one bridge of a burst claims the start
// (a lock file), opens a waiting room for the others (waiting-room.ts: waiting costs them no CPU) and starts the
// server detached; the claim ends once the server answered or exited, and the waiters look again at once.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { tryAcquireLock, type HeldLock } from "../machine/lock-file.js";
import { openWaitingRoom, waitInRoom, type WaitingRoom } from "../provider-host/client/waiting-room.js";
import { greet, serverEntryPath, type ClientOptions, type Refusal, type Session } from "./connection.js";
import type { ServerPaths } from "./server-key.js";

/** How often the bridge that started the server looks for it. */
const STARTER_POLL_MS = 10;

interface StartClaim {
  lock: HeldLock;
  room?: WaitingRoom;
  exited: boolean;
}

function spawnServer(paths: ServerPaths, options: ClientOptions, claim: StartClaim): void {
  // Detached, in its own session, with no inherited stdio: it outlives this bridge and must not keep the pipes
  // NixOps4 reads open. Its cwd and environment are this bridge's (they are part of the key).
  const child = spawn(process.execPath, [serverEntryPath(), paths.stem, ...options.argv], {
    detached: true,
    stdio: "ignore",
    env: options.env,
  });
  child.once("error", () => (claim.exited = true));
  child.once("exit", () => (claim.exited = true));
  child.unref();
  options.log(`started operation server pid ${child.pid ?? "?"} (log: ${paths.log})`);
}

/** Finds or starts the key's server and opens a session on it; null if none took it within `waitMs`. */
export async function startSession(paths: ServerPaths, options: ClientOptions): Promise<Session | Refusal | null> {
  const deadline = Date.now() + options.waitMs;
  let claim: StartClaim | undefined;
  let exits = 0;
  let pause = 25;
  try {
    while (Date.now() < deadline) {
      const session = await greet(paths.socket, options.identity, Math.max(1000, deadline - Date.now()));
      if (session) return session;
      if (claim?.exited) {
        // The server this bridge started exited without serving: another one won the key, or it cannot start.
        exits++;
        await claim.room?.close();
        await claim.lock.release();
        claim = undefined;
        if (exits >= 3) return null;
      } else if (!claim) {
        const lock = await tryAcquireLock(paths.startLock);
        if (lock) {
          // The bridge that started the server may have ended its claim between our look and our lock.
          const started = await greet(paths.socket, options.identity, Math.max(1000, deadline - Date.now()));
          if (started) {
            await lock.release();
            return started;
          }
          claim = { lock, exited: false };
          claim.room = await openWaitingRoom(paths.waitingRoom).catch(() => undefined);
          spawnServer(paths, options, claim);
        } else if (await waitInRoom(paths.waitingRoom, deadline - Date.now())) {
          // The bridge starting the server ended its claim: look again at once.
          pause = 25;
          continue;
        }
      }
      // Only the starting bridge polls (the others wait in its room), or nobody could open a room: slowly. The
      // starting bridge looks every 10-20 ms: its server listens ~0.2 s after the spawn and every bridge of the
      // burst waits for that moment, while a connect to a socket that is not there yet costs microseconds.
      await sleep(claim ? STARTER_POLL_MS * (1 + Math.random()) : pause + Math.random() * pause);
      pause = Math.min(1000, pause * 2);
    }
    return null;
  } finally {
    await claim?.room?.close();
    await claim?.lock.release();
  }
}
