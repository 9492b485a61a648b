// The bridge's side of the operation server (server.ts): find the server for this bridge's key, start it if there is
// none (one bridge of a burst starts it, the others wait in its waiting room), then relay stdin, stdout, stderr
// and signals until the session ends. Kept small, and free of the bridge's operation code, because it is what
// each of NixOps4's per-operation processes loads.
import { existsSync } from "node:fs";
import { buildId } from "../build/build-id.js";
import { ensurePrivateDir, runtimeDir } from "../machine/runtime-dir.js";
import { greet, MAX_SOCKET_PATH, serverEntryPath, type ClientOptions, type Session } from "./connection.js";
import { encodeFrame, type BridgeFrame } from "./frames.js";
import { fnv1a64, identityText, serverPaths, type ServerPaths } from "./server-key.js";

export type { ClientOptions };

/** The type named by a request line, for the error answering it when the server went away. */
function requestType(line: string): string {
  try {
    const request = JSON.parse(line) as Record<string, { type?: unknown; resource?: { type?: unknown } }>;
    const body = Object.values(request)[0];
    const type = body?.type ?? body?.resource?.type;
    return typeof type === "string" ? type : "the resource";
  } catch {
    return "the resource";
  }
}

/** Relays this process's stdin, stdout, stderr and signals to the session; resolves with the exit code. */
function relay(session: Session, logPath: string): Promise<number> {
  const { socket } = session;
  const send = (frame: BridgeFrame) => {
    if (!socket.destroyed) socket.write(encodeFrame(frame));
  };
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  // Request lines sent and not answered yet, oldest first (what the server would still answer).
  const unanswered: string[] = [];
  let partial = "";
  let forwarded: NodeJS.Signals | undefined;
  return new Promise((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      process.stdin.pause();
      socket.destroy();
      resolve(code);
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(signal, () => {
        // As the bridge in one process: between operations a signal ends it; during one it is handed on once.
        if (unanswered.length === 0 && partial === "") process.exit(signal === "SIGINT" ? 130 : 143);
        if (forwarded) return;
        forwarded = signal;
        send({ t: "interrupt", signal });
      });
    }
    process.stdin.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString("latin1");
      const lines = text.split("\n");
      partial = lines.pop()!;
      unanswered.push(...lines);
      send({ t: "input", b64: chunk.toString("base64") });
    });
    process.stdin.once("end", () => {
      if (partial !== "") unanswered.push(partial);
      partial = "";
      send({ t: "end" });
    });
    session.onFrame((frame) => {
      if (frame.t === "log") process.stderr.write(frame.text + "\n");
      else if (frame.t === "response") {
        unanswered.shift();
        process.stdout.write(frame.text + "\n", (error) => send({ t: "delivered", ok: !error }));
      } else if (frame.t === "exit") finish(frame.code);
    });
    socket.once("close", () => {
      if (finished) return;
      // The server went away (killed, or crashed) without ending the session: what it was doing is unknown here.
      for (const line of unanswered.splice(0)) {
        const message =
          `${requestType(line)}: the operation server (pid ${session.serverPid}) that ran this operation went away ` +
          `before answering; what it changed is unknown here. Its record is kept: the next operation on this ` +
          `resource continues from it (nixops4-opentofu pending list; server log: ${logPath}).`;
        process.stderr.write(`[opentofu] error: ${message}\n`);
        process.stdout.write(JSON.stringify({ errorResponse: { message } }) + "\n");
      }
      finish(1);
    });
  });
}

/** Serves this bridge's session on its operation server; "unavailable" (nothing read from stdin yet) when no
 * server took it, and the caller serves it itself. */
export async function serveThroughServer(
  options: Omit<ClientOptions, "identity">,
): Promise<{ exitCode: number } | "unavailable"> {
  let paths: ServerPaths;
  let client: ClientOptions;
  try {
    if (!existsSync(serverEntryPath())) return "unavailable";
    const dir = await ensurePrivateDir(runtimeDir(options.env));
    const identity = identityText({ build: buildId(), argv: options.argv, cwd: process.cwd(), env: options.env });
    client = { ...options, identity };
    paths = serverPaths(dir, fnv1a64(identity));
    if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) return "unavailable";
  } catch (error) {
    options.log(`no operation server (${(error as Error).message}); serving in this process`);
    return "unavailable";
  }
  // Most bridges find the server running; only the others load what starting one takes.
  let session = await greet(paths.socket, client.identity, 30_000);
  if (!session) {
    try {
      session = await (await import("./server-start.js")).startSession(paths, client);
    } catch (error) {
      options.log(`no operation server (${(error as Error).message}); serving in this process`);
      return "unavailable";
    }
  }
  if (session && "refused" in session) {
    options.log(
      `the operation server at ${paths.socket} refused the session (${session.refused}); serving in this process`,
    );
    return "unavailable";
  }
  if (!session) {
    const waited = Math.round(options.waitMs / 1000);
    options.log(`no operation server took the session within ${waited} s (log: ${paths.log}); serving in this process`);
    return "unavailable";
  }
  return { exitCode: await relay(session, paths.log) };
}
