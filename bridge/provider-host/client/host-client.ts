// The bridge side of a lease: find the key's host by its control socket, start one if there is none, and hold a
// connection for as long as the lease lasts.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { packageRoot } from "../../build/package-root.js";
import { hostArguments, type HostLaunch } from "../control-protocol.js";
import type { JobOutcome } from "../../jobs/batch-run.js";
import {
  onEachLine,
  onFirstLine,
  parseExact,
  sendExact,
  sendLine,
  type GrantedMessage,
  type HostPaths,
  type HostReply,
  type LeaseRequestMessage,
  type RunMessage,
  type RunReply,
} from "../control-protocol.js";
import { setTimeout as sleep } from "node:timers/promises";
import type { HeldLock } from "../../machine/lock-file.js";
import { claimHostStart } from "./start-claim.js";
import { openWaitingRoom, waitInRoom, type WaitingRoom } from "./waiting-room.js";

export interface HostSettings extends HostLaunch {
  paths: HostPaths;
  log: (line: string) => void;
  /** How long to wait for the key's host; default hostWaitMs. */
  waitMs?: number;
}

/** How often the bridge that started the key's host looks for it. */
const STARTER_POLL_MS = 10;

export type LeaseOutcome =
  { kind: "granted"; grant: GrantedMessage; socket: Socket } | { kind: "unsupported"; reason: string };

/** The host's bundled entry point (scripts/bundle-bridge.mjs), whether this module runs compiled, bundled or from
 * the sources under vitest. */
export function hostEntryPath(): string {
  return join(packageRoot, "dist", "bundle", "host.js");
}

function connectControl(path: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const fail = () => {
      socket.destroy();
      resolve(null);
    };
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.off("error", fail);
      socket.on("error", () => undefined);
      resolve(socket);
    });
  });
}

function ask(socket: Socket, request: LeaseRequestMessage, timeoutMs: number): Promise<HostReply | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    onFirstLine(socket, (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as HostReply);
      } catch {
        socket.destroy();
        resolve(null);
      }
    });
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(null);
    });
    sendLine(socket, request);
  });
}

/** Resolves once the host process has exited (or could not be started). */
function spawnHost(settings: HostSettings): Promise<void> {
  const entry = hostEntryPath();
  if (!existsSync(entry)) throw new Error(`provider host entry ${entry} is missing (run npm run build)`);
  // Detached, in its own session, with no inherited stdio: it must outlive this bridge and must not keep the
  // pipes NixOps4 reads from open. It gets exactly the bridge's environment (the provider's environment). Node's
  // own spawn, as for the operation server (server-start.ts): nothing of execa's is needed for a process that is
  // never waited on, and loading it cost the first cold operation ~40 ms before its host could start.
  const child = spawn(process.execPath, [entry, ...hostArguments(settings)], {
    detached: true,
    stdio: "ignore",
    env: settings.env,
    // Not the bridge's (a workspace that is about to be deleted): the host's own directory.
    cwd: settings.dir,
  });
  const exited = new Promise<void>((resolve) => {
    child.once("error", () => resolve());
    child.once("exit", () => resolve());
  });
  child.unref();
  settings.log(`started provider host pid ${child.pid ?? "?"} for ${settings.providerAddress}`);
  return exited;
}

/** How long bridges wait for a key's host: its provider may take the start timeout to come up, plus slack for a
 * loaded machine. Past it the bridge gives up on sharing (the caller falls back to the engine's own start). */
export function hostWaitMs(settings: Pick<HostLaunch, "startTimeoutMs">): number {
  return settings.startTimeoutMs + 30_000;
}

/** The claim to start a key's host, while this bridge holds it: whether the host it started has exited, and the
 * room the other bridges wait in meanwhile. */
interface StartClaim {
  lock: HeldLock;
  exited: boolean;
  room?: WaitingRoom;
}

/** Has the key's host start without taking a lease, for an operation that will want one once its inputs are
 * validated: if there is no host and no other bridge has claimed its start, claims it and spawns one, holding the
 * claim until that host listens (it does while its provider starts) or exits. Whoever leases later finds it. */
export async function startHost(settings: HostSettings): Promise<void> {
  // Every request of a burst asks, so no connection for a host that is there: a control socket file is a host
  // serving or starting, or one a dead host left, which the lease that follows deals with as before.
  if (existsSync(settings.paths.control)) return;
  const lock = await claimHostStart(settings.paths);
  if (!lock) return; // a host is on its way
  const room = await openWaitingRoom(settings.paths.waitingRoom).catch(() => undefined);
  let exited = false;
  try {
    void spawnHost(settings).then(() => (exited = true));
    const deadline = Date.now() + (settings.waitMs ?? hostWaitMs(settings));
    while (!exited && Date.now() < deadline) {
      const socket = await connectControl(settings.paths.control);
      if (socket) {
        socket.destroy();
        return;
      }
      await sleep(STARTER_POLL_MS * (1 + Math.random()));
    }
  } finally {
    await room?.close();
    await lock.release();
  }
}

export async function leaseFromHost(
  settings: HostSettings,
  resourceTypes: string[],
  dataSourceTypes: string[],
): Promise<LeaseOutcome> {
  const request: LeaseRequestMessage = { type: "lease", key: settings.key, resourceTypes, dataSourceTypes };
  const waitMs = settings.waitMs ?? hostWaitMs(settings);
  const deadline = Date.now() + waitMs;
  // This bridge's claim to start the key's host (start-claim.ts), held until that host answers or exits.
  let claim: StartClaim | undefined;
  const endClaim = async () => {
    await claim?.room?.close();
    await claim?.lock.release();
    claim = undefined;
  };
  // Hosts we started that exited while nothing answered: one that cannot even listen would be retried forever.
  let exitedHosts = 0;
  let pause = 25;
  try {
    while (Date.now() < deadline) {
      const socket = await connectControl(settings.paths.control);
      if (socket) {
        // A starting host accepts at once and answers once its provider is up, so most waiting is done here.
        const reply = await ask(socket, request, Math.max(1000, deadline - Date.now()));
        if (reply?.type === "granted") {
          // The lease must not keep a bridge that forgot to release it alive; closing the socket releases it.
          socket.unref();
          return { kind: "granted", grant: reply, socket };
        }
        socket.destroy();
        if (reply?.type === "unsupported") return { kind: "unsupported", reason: reply.reason };
        if (reply?.type === "error") throw new Error(`provider host refused the lease: ${reply.message}`);
        // "retry", or the host went away mid-answer: it is draining; the next one is started below.
      } else if (claim?.exited) {
        exitedHosts++;
        await endClaim();
        if (exitedHosts >= 3)
          throw new Error(`provider hosts keep exiting without serving (see ${settings.paths.log})`);
      } else if (!claim) {
        const lock = await claimHostStart(settings.paths);
        if (lock) {
          const started: StartClaim = { lock, exited: false };
          claim = started;
          started.room = await openWaitingRoom(settings.paths.waitingRoom).catch(() => undefined);
          void spawnHost(settings).then(() => (started.exited = true));
        } else if (await waitInRoom(settings.paths.waitingRoom, deadline - Date.now())) {
          // Another bridge is starting the host and has just ended its claim: look for the host now.
          pause = 25;
          continue;
        }
      }
      // Without a room to wait in (a host draining, a starter about to open one), poll, slowly: 500 bridges
      // waiting for one host must not keep both cores busy. The bridge that started the host looks every 10-20
      // ms until it listens (~0.3 s): a connect to a socket that is not there yet costs microseconds, and a late
      // look would leave the burst waiting after the host is ready.
      await sleep(claim ? STARTER_POLL_MS * (1 + Math.random()) : pause + Math.random() * pause);
      pause = Math.min(1000, pause * 2);
    }
  } finally {
    await endClaim();
  }
  throw new Error(
    `no provider host for ${settings.providerAddress} answered within ${Math.round(waitMs / 1000)} s ` +
      `(its log: ${settings.paths.log})`,
  );
}

export function closeLease(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 2000);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end();
  });
}

export class HostRunError extends Error {}

/** Sends the operation on the lease's connection and waits for its outcome. The lease stays held meanwhile. An
 * abort of `signal` is handed on to the host, which stops the engine once every operation of its run was
 * interrupted, and otherwise withdraws this one (the run goes on; the host keeps its state). */
export function runOnHost(
  socket: Socket,
  message: RunMessage,
  onProgress: (line: string) => void,
  signal?: AbortSignal,
): Promise<JobOutcome> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      reject(new HostRunError("the provider host connection is closed"));
      return;
    }
    socket.ref();
    let settled = false;
    const interrupt = () => {
      if (!socket.destroyed) sendExact(socket, { type: "interrupt", signal: String(signal?.reason ?? "SIGINT") });
    };
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", interrupt);
      socket.unref();
      action();
    };
    onEachLine(socket, (line) => {
      let reply: RunReply;
      try {
        reply = parseExact(line) as RunReply;
      } catch {
        settle(() => reject(new HostRunError("malformed reply from the provider host")));
        return;
      }
      if (reply.type === "progress") onProgress(reply.line);
      else if (reply.type === "result") settle(() => resolve(reply.outcome));
      else if (reply.type === "withdrawn") settle(() => reject(new HostRunError(reply.message)));
      else settle(() => reject(new HostRunError(`the provider host could not run the operation: ${reply.message}`)));
    });
    socket.once("close", () =>
      settle(() => reject(new HostRunError("the provider host went away before the operation finished"))),
    );
    sendExact(socket, message);
    if (signal?.aborted) interrupt();
    else signal?.addEventListener("abort", interrupt, { once: true });
  });
}
