// A bridge's connection to its operation server: the hello, and the server's "ready" that opens the session.
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { packageRoot } from "../build/package-root.js";
import { onLines } from "../framing/line-framer.js";
import { encodeFrame, FRAMES_VERSION, parseServerFrame, type ServerFrame } from "./frames.js";

// sun_path is 108 bytes on Linux, including the terminating NUL.
export const MAX_SOCKET_PATH = 107;

export function serverEntryPath(): string {
  return join(packageRoot, "dist", "bundle", "operation-server.js");
}

export interface ClientOptions {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** identityText of argv, env, cwd and build: what the server must serve (server-key.ts). */
  identity: string;
  /** How long to wait for a server to take the session before serving it in this process. */
  waitMs: number;
  log: (line: string) => void;
}

/** A connection on which the server said "ready"; later frames are queued until the relay takes them. */
export interface Session {
  socket: Socket;
  serverPid: number;
  onFrame(handler: (frame: ServerFrame) => void): void;
}

/** A server that answered the hello with "refused": it serves bridges started otherwise (a key collision). */
export interface Refusal {
  refused: string;
}

/** Opens a session on the server listening at `path`; null if none answers there within `timeoutMs`. */
export function greet(path: string, identity: string, timeoutMs: number): Promise<Session | Refusal | null> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const queued: ServerFrame[] = [];
    let handler: ((frame: ServerFrame) => void) | undefined;
    let ready = false;
    const fail = () => {
      clearTimeout(timer);
      socket.destroy();
      if (!ready) resolve(null);
    };
    const timer = setTimeout(fail, timeoutMs);
    socket.on("error", fail);
    socket.once("close", () => {
      if (!ready) fail();
    });
    socket.once("connect", () =>
      socket.write(encodeFrame({ t: "hello", v: FRAMES_VERSION, pid: process.pid, identity })),
    );
    onLines(socket, (line) => {
      let frame: ServerFrame;
      try {
        if (!line.ok) throw new Error(line.reason);
        frame = parseServerFrame(line.text);
      } catch {
        fail();
        return "stop";
      }
      if (!ready) {
        if (frame.t === "refused") {
          clearTimeout(timer);
          ready = true;
          socket.destroy();
          resolve({ refused: frame.reason });
          return "stop";
        }
        if (frame.t !== "ready") {
          fail();
          return "stop";
        }
        ready = true;
        clearTimeout(timer);
        resolve({
          socket,
          serverPid: frame.pid,
          onFrame(h) {
            handler = h;
            for (const f of queued.splice(0)) h(f);
          },
        });
      } else if (handler) handler(frame);
      else queued.push(frame);
      return undefined;
    });
  });
}
