// The operation server: one long-lived process that runs the protocol sessions of the bridges NixOps4 starts, so
// that each of those processes (100 or 500 at once on a cold machine) only relays its stdin and stdout instead of
// loading and compiling the whole bridge, validating and recording on its own (docs/provider-host.md, "The
// operation server"). A session is the bridge's session exactly: the same protocol loop, operations, locks and
// records (bridge/session.ts); only its bytes travel over a socket, and its interrupt arrives as a frame.
//
// Lifecycle: started detached by the first bridge that finds none (client.ts), it holds its lock for its whole
// life and exits after `idleMs` without sessions. A session it took on ("ready") is served to the end: a bridge
// that goes away mid-operation leaves its operation running here, and the response it can no longer receive
// leaves the outcome recorded for the next operation, as when NixOps4 closes a bridge's stdout.
import { createWriteStream, statSync, truncateSync, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { PassThrough, Writable } from "node:stream";
import { handedOnInterrupts } from "../../opentofu/engine/interrupts.js";
import { onLines } from "../framing/line-framer.js";
import { tryAcquireLock, type HeldLock } from "../machine/lock-file.js";
import { runSession, servicesFrom, type BridgeServices } from "../session.js";
import { encodeFrame, FRAMES_VERSION, parseBridgeFrame, type ServerFrame } from "./frames.js";
import { identityText, type ServerPaths } from "./server-key.js";
import { buildId } from "../build/build-id.js";

const LOG_LIMIT_BYTES = 1024 * 1024;

export interface ServerSettings {
  paths: ServerPaths;
  argv: string[];
  env: NodeJS.ProcessEnv;
  idleMs: number;
  /** Called once an idle stop has ended every session (the process exits then). */
  onIdleStop?: () => void;
}

export class OperationServer {
  private server?: Server;
  private lock?: HeldLock;
  private sessions = 0;
  private served = 0;
  private idleTimer?: NodeJS.Timeout;
  private closing = false;
  private readonly logStream: WriteStream;
  private readonly services: () => BridgeServices;
  /** What a bridge's hello must name to be served here. */
  private readonly identity: string;

  constructor(private readonly settings: ServerSettings) {
    try {
      if (statSync(settings.paths.log).size > LOG_LIMIT_BYTES) truncateSync(settings.paths.log, 0);
    } catch {
      // no log yet
    }
    this.logStream = createWriteStream(settings.paths.log, { flags: "a", mode: 0o600 });
    this.logStream.on("error", () => undefined);
    // What loading the provider's types reports (a schema dump on a cold cache) belongs to no one session.
    this.services = servicesFrom(settings.argv, settings.env, (line) => this.log(line));
    this.identity = identityText({ build: buildId(), argv: settings.argv, cwd: process.cwd(), env: settings.env });
  }

  log(line: string): void {
    this.logStream.write(`${new Date().toISOString()} [operation server ${process.pid}] ${line}\n`);
  }

  /** False when another live server holds this key's lock (it serves; this process should exit). */
  async start(): Promise<boolean> {
    const lock = await tryAcquireLock(this.settings.paths.lock);
    if (!lock) {
      this.log("another operation server serves this key; exiting");
      return false;
    }
    this.lock = lock;
    // A socket file a killed server left: the lock is ours, so is the path.
    await rm(this.settings.paths.socket, { force: true });
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.settings.paths.socket, () => resolve());
    });
    this.server = server;
    this.log(`serving on ${this.settings.paths.socket}`);
    this.armIdle();
    return true;
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.sessions > 0 || this.closing) return;
    const idle = `idle for ${Math.round(this.settings.idleMs / 1000)} s`;
    this.idleTimer = setTimeout(
      () => void this.stop(idle).then(() => this.settings.onIdleStop?.()),
      this.settings.idleMs,
    );
  }

  /** Stops taking sessions at once; exits once the running ones ended. */
  async stop(why: string): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.idleTimer);
    this.log(`stopping (${why}) after ${this.served} sessions`);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await rm(this.settings.paths.socket, { force: true });
    while (this.sessions > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    await this.lock?.release();
    await new Promise<void>((resolve) => this.logStream.end(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.on("error", () => undefined);
    if (this.closing) {
      // Between deciding to stop and closing the listener: the bridge finds no "ready" and starts a new server.
      socket.destroy();
      return;
    }
    this.sessions++;
    this.served++;
    clearTimeout(this.idleTimer);
    void this.serveSession(socket).finally(() => {
      this.sessions--;
      this.armIdle();
    });
  }

  private async serveSession(socket: Socket): Promise<void> {
    const send = (frame: ServerFrame) => {
      if (!socket.destroyed) socket.write(encodeFrame(frame));
    };
    const input = new PassThrough();
    const interrupts = handedOnInterrupts();
    // The write of a response completes once the bridge says whether it reached its stdout.
    let awaiting: ((error?: Error) => void) | undefined;
    const gone = () => {
      input.end();
      awaiting?.(new Error("the bridge went away"));
      awaiting = undefined;
    };
    let greeted = false;
    onLines(socket, (line) => {
      try {
        if (!line.ok) throw new Error(line.reason);
        const frame = parseBridgeFrame(line.text);
        if (frame.t === "hello") {
          if (frame.v !== FRAMES_VERSION) throw new Error(`frames version ${frame.v}, expected ${FRAMES_VERSION}`);
          if (frame.identity !== this.identity) {
            this.log(`refusing bridge pid ${frame.pid}: it was started otherwise`);
            send({ t: "refused", reason: "another build, environment, command line or working directory" });
            // end(), not destroy(): the refusal must reach the bridge, which then serves its session itself.
            socket.end();
            return "stop";
          }
          greeted = true;
          send({ t: "ready", pid: process.pid });
        } else if (!greeted) throw new Error("no hello");
        else if (frame.t === "input") input.write(Buffer.from(frame.b64, "base64"));
        else if (frame.t === "end") input.end();
        else if (frame.t === "interrupt") {
          interrupts.interrupt(frame.signal);
          send({
            t: "log",
            text: `[opentofu] ${frame.signal} received: letting the engine finish and keep its state, then stopping`,
          });
        } else if (frame.t === "delivered") {
          const done = awaiting;
          awaiting = undefined;
          done?.(frame.ok ? undefined : new Error("the bridge could not write the response (its stdout is closed)"));
        }
      } catch (error) {
        this.log(`dropping a session: ${(error as Error).message}`);
        socket.destroy();
      }
      return undefined;
    });
    socket.once("close", gone);
    const output = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        if (socket.destroyed) {
          callback(new Error("the bridge went away"));
          return;
        }
        awaiting = (error) => callback(error);
        send({ t: "response", text: chunk.toString().replace(/\n$/, "") });
      },
    });
    output.on("error", () => undefined);
    await runSession({
      argv: this.settings.argv,
      env: this.settings.env,
      input,
      output,
      log: (text) => send({ t: "log", text: `[opentofu] ${text}` }),
      interrupts,
      services: this.services,
    }).catch((error: unknown) => this.log(`a session failed: ${(error as Error).message}`));
    send({ t: "exit", code: interrupts.by() ? 1 : 0 });
    socket.end();
  }
}
