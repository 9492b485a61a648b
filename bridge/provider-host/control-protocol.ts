// Everything the bridge (client/) and the host (server/) agree on, and the only file they share: how a host is
// started (its arguments), where its files are, and the conversation on its control socket: one JSON line each
// way. A lease lasts as long as the bridge keeps its connection open, so a bridge that crashes releases its lease
// by the kernel closing it.
import { readFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { frameLine, onLines, type Line } from "../framing/line-framer.js";
import { parseExact, stringifyExact } from "../json/exact-json.js";
import type { BatchJob, JobOutcome } from "../jobs/batch-run.js";

export interface LeaseRequestMessage {
  type: "lease";
  key: string;
  resourceTypes: string[];
  dataSourceTypes: string[];
}

export interface GrantedMessage {
  type: "granted";
  protocolVersion: number;
  proxySocket: string;
  hostPid: number;
  providerPid: number;
}

export type HostReply =
  | GrantedMessage
  /** The host is shutting down (idle, max uses, crash): connect again, a new host will be started. */
  | { type: "retry"; reason: string }
  /** The provider has no debug mode: fall back to the engine's own provider start. */
  | { type: "unsupported"; reason: string }
  | { type: "error"; message: string };

/** TF_REATTACH_PROVIDERS for an engine attaching to a host's proxy. */
export function reattachValue(providerAddress: string, grant: Omit<GrantedMessage, "type" | "providerPid">): string {
  return JSON.stringify({
    [providerAddress]: {
      Protocol: "grpc",
      ProtocolVersion: grant.protocolVersion,
      // The host's pid: go-plugin checks the process exists. Test = true tells the engine the process is not its
      // own to stop.
      Pid: grant.hostPid,
      Test: true,
      Addr: { Network: "unix", String: grant.proxySocket },
    },
  });
}

export function sendLine(socket: Socket, message: LeaseRequestMessage | HostReply): void {
  socket.write(frameLine(JSON.stringify(message)));
}

/** A line that is not valid UTF-8 reaches the caller as "", which no JSON parser accepts: its malformed-message
 * path, as for any other garbage. */
const textOf = (line: Line) => (line.ok ? line.text : "");

/** Calls `onLine` with the first complete line received; lines after it are ignored (the protocol has one). */
export function onFirstLine(socket: Socket, onLine: (line: string) => void): void {
  onLines(
    socket,
    (line) => {
      onLine(textOf(line));
      return "stop";
    },
    { maxLineBytes: 1 << 20 },
  );
}

/** The file-name stem of a host: 128 bits of the key keep socket paths short enough. */
export function hostStem(key: string): string {
  return key.slice(0, 32);
}

export interface HostPaths {
  lock: string;
  /** Held by the one bridge that starts the key's host, until that host answers (start-claim.ts). */
  startClaim: string;
  /** Where the other bridges wait while the claim's holder starts the host (waiting-room.ts). */
  waitingRoom: string;
  control: string;
  metadata: string;
  log: string;
  proxySocket(pid: number): string;
}

export function hostPaths(dir: string, stem: string): HostPaths {
  return {
    lock: join(dir, `${stem}.lock`),
    startClaim: join(dir, `${stem}.start.lock`),
    waitingRoom: join(dir, `${stem}.wait.sock`),
    control: join(dir, `${stem}.ctl.sock`),
    metadata: join(dir, `${stem}.json`),
    log: join(dir, `${stem}.log`),
    proxySocket: (pid) => join(dir, `${stem}.${pid}.grpc.sock`),
  };
}

/** What a host writes about itself (0600, never any environment value or configuration). */
export interface HostMetadata {
  hostPid: number;
  hostStart?: string;
  providerPid: number;
  providerStart?: string;
  /** The provider's own go-plugin socket (in the host directory unless the user chose another). */
  providerSocket: string;
  binaryPath: string;
  providerAddress: string;
  providerVersion: string;
  protocolVersion: number;
  proxySocket: string;
  startedAt: string;
}

/** A host's metadata, or undefined when there is none or it is unreadable. */
export async function readHostMetadata(path: string): Promise<HostMetadata | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as HostMetadata;
  } catch {
    return undefined;
  }
}

// After a lease is granted, the bridge may hand the host its operation instead of running the engine itself: the
// host batches concurrent operations into one engine run. These messages carry Terraform values, so they are
// written and read as exact JSON (numbers beyond 2^53 survive).

/** The operation's record (bridge/recovery/operation-records.ts), which the host gives the outcome before it
 * answers: a bridge that is gone by then leaves it there for the next operation. */
export interface PendingTarget {
  lineage: string;
  operation: string;
  stateDir?: string;
  id?: string;
  token?: string;
}

export interface RunMessage {
  type: "run";
  engine: string;
  pluginDir?: string;
  /** SOURCE@VERSION as the bridge was configured. */
  provider: string;
  providerConfig: Record<string, unknown>;
  /** Where providerConfig holds credentials: the host's engine gets them in its environment, not in a file. */
  providerCredentials?: (string | number)[][];
  job: BatchJob;
  pending: PendingTarget;
}

/** The bridge was interrupted (SIGINT, SIGTERM, SIGHUP) while its operation is with the host. */
export interface InterruptMessage {
  type: "interrupt";
  signal: string;
}

export type RunReply =
  | { type: "progress"; line: string }
  | { type: "result"; outcome: JobOutcome }
  | { type: "error"; message: string }
  /** After an interrupt, when the engine run goes on for other bridges' operations: the bridge answers now, and
   * the host keeps whatever state the run produces for this one (as for a bridge that is gone). */
  | { type: "withdrawn"; message: string };

export function sendExact(socket: Socket, message: RunMessage | InterruptMessage | RunReply): void {
  socket.write(frameLine(stringifyExact(message)));
}

/** Calls `onLine` for every complete line from now on (exact JSON is parsed by the caller). */
export function onEachLine(socket: Socket, onLine: (line: string) => void): void {
  onLines(
    socket,
    (line) => {
      onLine(textOf(line));
      return undefined;
    },
    { maxLineBytes: 64 << 20 },
  );
}

export { parseExact };

// What a host process is started with: the bridge encodes it as host-main's arguments (no secrets: the
// provider's environment travels as the host's own environment, never on the command line).

export interface HostLaunch {
  key: string;
  dir: string;
  binaryPath: string;
  providerAddress: string;
  providerVersion: string;
  idleMs: number;
  maxUses: number;
  startTimeoutMs: number;
  prune: boolean;
  /** The bridge's cache dir (BridgeOptions.cacheDir), where the host keeps the provider's schema answer. */
  cacheDir?: string;
  /** The environment the provider runs with (the host's own). */
  env: NodeJS.ProcessEnv;
}

export function hostArguments(launch: HostLaunch): string[] {
  return [
    "--key",
    launch.key,
    "--dir",
    launch.dir,
    "--binary",
    launch.binaryPath,
    "--address",
    launch.providerAddress,
    "--version",
    launch.providerVersion,
    "--idle-ms",
    String(launch.idleMs),
    "--max-uses",
    String(launch.maxUses),
    "--start-timeout-ms",
    String(launch.startTimeoutMs),
    "--prune",
    launch.prune ? "on" : "off",
    ...(launch.cacheDir ? ["--cache-dir", launch.cacheDir] : []),
  ];
}

export function parseHostArguments(args: string[], env: NodeJS.ProcessEnv): HostLaunch {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(
      [
        "key",
        "dir",
        "binary",
        "address",
        "version",
        "idle-ms",
        "max-uses",
        "start-timeout-ms",
        "prune",
        "cache-dir",
      ].map((name) => [name, { type: "string" as const }]),
    ),
  });
  const required = (name: string): string => {
    const value = values[name];
    if (typeof value !== "string" || value === "") throw new Error(`--${name} is required`);
    return value;
  };
  const number = (name: string): number => {
    const value = Number(required(name));
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
    return value;
  };
  return {
    key: required("key"),
    dir: required("dir"),
    binaryPath: required("binary"),
    providerAddress: required("address"),
    providerVersion: required("version"),
    idleMs: number("idle-ms"),
    maxUses: number("max-uses"),
    startTimeoutMs: number("start-timeout-ms"),
    prune: values.prune !== "off",
    cacheDir: values["cache-dir"] || undefined,
    env,
  };
}
