// While one bridge starts a key's provider host, the other bridges of the burst wait for it. Polling for the
// host's control socket made 500 waiting bridges use both cores (each poll a connect attempt and two lock reads,
// up to four times a second), which starved the very host they waited for: at 500 at once its provider missed
// its 60 s start, and every bridge fell back to an engine of its own. So the starting bridge opens a waiting
// room, a unix socket on which nothing is ever sent: a waiter connects and sleeps until the room closes, which
// happens when the starter's claim ends (its host answered, it gave up, or it died: the kernel closes a dead
// process's sockets too). Then the waiters look for the host at once. Waiting costs no CPU.
import { rm } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";

export interface WaitingRoom {
  close(): Promise<void>;
}

/** Opens the room at `path` (a unix socket path); only the holder of the start claim may. */
export async function openWaitingRoom(path: string): Promise<WaitingRoom> {
  // A file left by a starter that died: the claim is ours now, so is the path.
  await rm(path, { force: true });
  const waiters = new Set<Socket>();
  const server = createServer((socket) => {
    waiters.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => waiters.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  server.unref();
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of waiters) socket.destroy();
      await stopped;
      await rm(path, { force: true });
    },
  };
}

/** Waits in the room at `path` until it closes (true), at most `timeoutMs` (true as well: look again); false at
 * once when there is no room to enter (nobody is starting a host, or its starter has not opened it yet). */
export function waitInRoom(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let entered = false;
    const timer = setTimeout(() => socket.destroy(), Math.max(0, timeoutMs));
    timer.unref();
    socket.once("connect", () => (entered = true));
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(entered);
    });
  });
}
