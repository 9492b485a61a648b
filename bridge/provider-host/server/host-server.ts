// The long-lived host process for one key: owns the key's lock, one debug-mode provider process and the proxy in
// front of it, and hands out leases on its control socket. It exits when idle, after serving its quota of
// leases (the provider's memory grows with use), when its provider dies, or when it finds it is no longer the
// key's host; the next bridge then starts a fresh one.
import { createWriteStream, type WriteStream } from "node:fs";
import { chmod, rename, rm, stat } from "node:fs/promises";
import writeFileAtomic from "write-file-atomic";
import { connect, createServer, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { rememberWithoutDebugMode } from "../../machine/debug-mode-memory.js";
import {
  hostPaths,
  hostStem,
  onEachLine,
  onFirstLine,
  parseExact,
  readHostMetadata,
  reattachValue,
  sendExact,
  sendLine,
  type RunMessage,
  type HostMetadata,
  type HostPaths,
  type LeaseRequestMessage,
  type InterruptMessage,
} from "../control-protocol.js";
import { clearDeadHost } from "./dead-host.js";
import type { ProviderProxy, StoredSchema } from "./grpc-proxy.js";
import { sweepHostDir } from "./host-dir-sweep.js";
import type { HostLaunch } from "../control-protocol.js";
import { tryAcquireLock, type HeldLock } from "../../machine/lock-file.js";
import { protocolSpec } from "./plugin-protocol.js";
import { processStart, selfIdentity } from "../../machine/process-identity.js";
import { NoDebugModeError, startDebugProvider, type DebugProvider } from "./provider-process.js";
import { RegisteredTypes } from "./schema-prune.js";
import { SchemaDiskCache } from "./schema-disk-cache.js";
import { Batcher } from "./batcher.js";
import { acquireEngineSlot } from "../../machine/engine-slots.js";
import { canonicalHash } from "../../json/canonical-json.js";
import { parseProviderRef } from "../../../opentofu/provider/provider-address.js";
import { ApplyWithheldError, runBatch, type JobOutcome } from "../../jobs/batch-run.js";
import { acceptOnHost, applyingOnHost, recordOnHost } from "../../recovery/host-outcomes.js";
import type { Attachment } from "../../jobs/attachment.js";
import { setTimeout as sleep } from "node:timers/promises";

export type HostOptions = HostLaunch;

// A host writes a few lines per lease and retires after its quota of leases, so a log grows only over many
// hosts of one key. Checking once at start and renaming to one `.log.1` is enough to bound it (two files of this
// size at most), needs no copying, and keeps the previous host's lines for whoever is looking into a failure.
const LOG_ROTATE_BYTES = 2 * 1024 * 1024;

async function openLog(path: string): Promise<WriteStream> {
  try {
    if ((await stat(path)).size > LOG_ROTATE_BYTES) await rename(path, `${path}.1`);
  } catch {
    // no log yet
  }
  return createWriteStream(path, { flags: "a", mode: 0o600 });
}

function controlAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function inodeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
}

type State = "starting" | "ready" | "unsupported" | "draining";

interface QueuedRun {
  message: RunMessage;
  socket: Socket;
  /** Its bridge was interrupted. */
  interrupted?: string;
  /** The bridge was answered without the outcome: the host keeps the state, as for a bridge that is gone. */
  withdrawn?: boolean;
  /** The engine run it is part of, once started. */
  batch?: { runs: QueuedRun[]; abort: AbortController };
}

// A bridge interrupted while its engine run goes on for others waits this long for its outcome, then is withdrawn,
// so that it answers within 2 s of its signal even on a loaded machine.
const WITHDRAW_AFTER_MS = 1000;
/** sun_path holds 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH = 107;

export class ProviderHost {
  private readonly paths: HostPaths;
  private readonly types = new RegisteredTypes();
  private state: State = "starting";
  private unsupportedReason = "";
  private active = 0;
  private uses = 0;
  private readonly leaseSockets = new Set<Socket>();
  /** Each leaseholder's operation, from hand-over until its outcome is delivered. */
  private readonly runs = new Map<Socket, QueuedRun>();
  private readonly waiting: (() => void)[] = [];
  private idleTimer?: NodeJS.Timeout;
  private checkTimer?: NodeJS.Timeout;
  private lock?: HeldLock;
  private control?: Server;
  private controlInode?: number;
  private provider?: DebugProvider;
  /** The provider's start, from the moment it was spawned (so that a drain meanwhile still stops it). */
  private providerStart?: Promise<DebugProvider>;
  private proxy?: ProviderProxy;
  private drained?: Promise<void>;
  private swept?: Promise<void>;
  private readonly batcher = new Batcher<QueuedRun>({
    run: (runs) => this.runBatch(runs),
    gatherMs: 10,
    // A cold burst of 100 bridges on 2 cores hands its operations over across ~2 s after the host grants their
    // leases (each bridge is short of CPU); a batch waits for those leaseholders (never for anyone else) for up to
    // this long rather than leave the late ones a whole engine run behind.
    maxGatherMs: 3000,
    expected: () => this.active - this.runs.size,
    maxBatch: 50,
    // The machine-wide engine slots bound this further.
    concurrency: 2,
    log: (line) => this.log(line),
  });
  private finished!: () => void;
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(
    private readonly options: HostOptions,
    private readonly logStream: WriteStream,
  ) {
    this.paths = hostPaths(options.dir, hostStem(options.key));
  }

  static async run(options: HostOptions): Promise<void> {
    const paths = hostPaths(options.dir, hostStem(options.key));
    const host = new ProviderHost(options, await openLog(paths.log));
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
      process.on(signal, () => void host.drain(`received ${signal}`));
    }
    process.on("uncaughtException", (error) => {
      host.log(`internal error: ${error.stack ?? error.message}`);
      void host.drain("internal error");
    });
    try {
      await host.start();
    } catch (error) {
      // Bridges waiting for this host fall back to the engine's own provider start instead of retrying a
      // host that cannot start; nothing is remembered, the next operation tries again.
      await host.refuse(`host could not start: ${(error as Error).message}`, false);
    }
    await host.done;
    await new Promise<void>((resolve) => host.logStream.end(resolve));
  }

  log(line: string): void {
    this.logStream.write(`${new Date().toISOString()} [host ${process.pid}] ${line}\n`);
  }

  private async start(): Promise<void> {
    const o = this.options;
    this.log(`starting for ${o.providerAddress} ${o.providerVersion} (${o.binaryPath}), key ${hostStem(o.key)}`);
    const lock = await this.acquireLock();
    if (!lock) {
      this.state = "draining";
      this.finished();
      return;
    }
    this.lock = lock;
    // We hold the key's lock: whatever a previous host of this key left is a dead host's.
    await clearDeadHost(o.dir, hostStem(o.key), (line) => this.log(line));
    // Every bridge of a cold burst waits for the provider, which takes ~0.4 s to come up: it is spawned first, and
    // the proxy's code (gRPC: 0.8 of this host's 1 MB) loads while it starts, not before.
    const providerStart = startDebugProvider({
      binaryPath: o.binaryPath,
      env: o.env,
      socketDir: o.dir,
      timeoutMs: o.startTimeoutMs,
      log: (line) => this.log(line),
    });
    this.providerStart = providerStart;
    // Awaited below; until then a failure must not count as unhandled.
    providerStart.catch(() => undefined);
    const proxyCode = import("./grpc-proxy.js");
    proxyCode.catch(() => undefined);
    // The stored schema (5 MB, checked against its digest) is read meanwhile too: for both plugin protocols, since
    // which one the provider speaks is known only once it is up. Read after that, it delayed the first engine run.
    const storedSchemas = new Map([5, 6].map((version) => [version, this.storedSchema(version)] as const));
    await this.listen();
    // Not awaited: tidying up after other keys' hosts must not delay or fail serving this one.
    this.swept = this.sweep();
    this.checkTimer = setInterval(() => void this.selfCheck(), 5000);

    let provider: DebugProvider;
    try {
      provider = await providerStart;
    } catch (error) {
      if (error instanceof NoDebugModeError) return this.refuse(error.message, true);
      throw error;
    }
    this.provider = provider;
    if (dirname(provider.endpoint.address) === o.dir) await chmod(provider.endpoint.address, 0o600);
    void provider.exited.then((r) => {
      if (this.state !== "draining") void this.drain(`provider exited unexpectedly (${r.exitCode ?? r.signal})`);
    });
    const spec = protocolSpec(provider.endpoint.protocolVersion);
    if (!spec || provider.endpoint.network !== "unix") {
      return this.refuse(
        `provider speaks protocol ${provider.endpoint.protocolVersion} over ${provider.endpoint.network}; ` +
          "the host proxies protocols 5 and 6 over unix sockets",
        true,
      );
    }
    const { ProviderProxy } = await proxyCode;
    const stored = await storedSchemas.get(spec.version);
    if (stored && "unusable" in stored) this.log(`no disk cache for the schema: ${stored.unusable}`);
    this.proxy = await ProviderProxy.start({
      spec,
      upstreamSocket: provider.endpoint.address,
      socketPath: this.paths.proxySocket(process.pid),
      types: this.types,
      prune: o.prune,
      storedSchema: stored && "read" in stored ? stored : undefined,
      log: (line) => this.log(line),
    });
    this.proxy.prefetchSchema().catch((error: Error) => this.log(`schema prefetch failed: ${error.message}`));
    await this.writeMetadata(provider, spec.version);
    if (this.state !== "starting") return;
    this.state = "ready";
    this.log(`ready: proxy ${this.paths.proxySocket(process.pid)}, ${o.prune ? "pruned" : "full"} schemas`);
    this.flushWaiting();
    this.armIdle();
  }

  /** This provider binary's schema answer as kept for `protocolVersion`, already being read, if the bridge named a
   * cache dir; else why there is none (the binary cannot be looked at: the schema is fetched as without a cache). */
  private async storedSchema(protocolVersion: number): Promise<StoredSchema | { unusable: string } | undefined> {
    const o = this.options;
    if (!o.cacheDir) return undefined;
    let cache: SchemaDiskCache;
    try {
      cache = await SchemaDiskCache.open(o.cacheDir, {
        providerAddress: o.providerAddress,
        providerVersion: o.providerVersion,
        protocolVersion,
        binaryPath: o.binaryPath,
      });
    } catch (error) {
      return { unusable: (error as Error).message };
    }
    const read = cache.read();
    return { read: () => read, write: (schema) => cache.write(schema) };
  }

  private async acquireLock(): Promise<HeldLock | null> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const lock = await tryAcquireLock(this.paths.lock);
      if (lock) return lock;
      // Held by a live process: either a serving host (we are a duplicate) or one starting up or draining.
      if (await controlAnswers(this.paths.control)) {
        this.log("another host already serves this key; exiting");
        return null;
      }
      if (Date.now() > deadline) {
        this.log("the key's lock stayed held by a live process that does not serve; exiting");
        return null;
      }
      await sleep(100);
    }
  }

  private async sweep(): Promise<void> {
    const started = Date.now();
    try {
      const removed = await sweepHostDir(this.options.dir, hostStem(this.options.key), (line) => this.log(line));
      this.log(
        `swept the host directory in ${Date.now() - started} ms: cleared ${removed.deadHosts} dead host(s), ` +
          `${removed.pluginSockets} dead plugin socket(s), ${removed.serverFiles} file(s) of dead operation ` +
          `servers, ${removed.logs} old log(s)`,
      );
    } catch (error) {
      this.log(`could not sweep the host directory: ${(error as Error).message}`);
    }
  }

  private async listen(): Promise<void> {
    const server = createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.paths.control, () => resolve());
    });
    await chmod(this.paths.control, 0o600);
    this.control = server;
    this.controlInode = await inodeOf(this.paths.control);
  }

  private async writeMetadata(provider: DebugProvider, protocolVersion: number): Promise<void> {
    const self = selfIdentity();
    const metadata: HostMetadata = {
      hostPid: self.pid,
      hostStart: self.start,
      providerPid: provider.endpoint.pid,
      providerStart: processStart(provider.endpoint.pid),
      providerSocket: provider.endpoint.address,
      binaryPath: this.options.binaryPath,
      providerAddress: this.options.providerAddress,
      providerVersion: this.options.providerVersion,
      protocolVersion,
      proxySocket: this.paths.proxySocket(process.pid),
      startedAt: new Date().toISOString(),
    };
    await writeFileAtomic(this.paths.metadata, JSON.stringify(metadata, null, 2), { mode: 0o600 });
  }

  /** Answers leases with "unsupported" (the caller falls back), remembering the binary when that is permanent. */
  async refuse(reason: string, remember: boolean): Promise<void> {
    this.log(`provider cannot be shared: ${reason}`);
    if (remember) {
      await rememberWithoutDebugMode(this.options.dir, this.options.binaryPath, reason).catch((error: Error) =>
        this.log(`could not record the missing debug mode: ${error.message}`),
      );
    }
    this.unsupportedReason = reason;
    this.state = "unsupported";
    this.flushWaiting();
    // Stay a moment for bridges that connected meanwhile, then go.
    setTimeout(() => void this.drain("provider cannot be shared"), 2000);
  }

  private onConnection(socket: Socket): void {
    socket.on("error", () => undefined);
    onFirstLine(socket, (line) => {
      let request: LeaseRequestMessage;
      try {
        request = JSON.parse(line) as LeaseRequestMessage;
      } catch {
        sendLine(socket, { type: "error", message: "malformed lease request" });
        socket.end();
        return;
      }
      if (request.type !== "lease" || request.key !== this.options.key) {
        sendLine(socket, { type: "error", message: "lease request for another host key" });
        socket.end();
        return;
      }
      const serve = () => this.serve(socket, request);
      if (this.state === "starting") this.waiting.push(serve);
      else serve();
    });
  }

  private serve(socket: Socket, request: LeaseRequestMessage): void {
    if (socket.destroyed) return;
    if (this.state === "unsupported") {
      sendLine(socket, { type: "unsupported", reason: this.unsupportedReason });
      socket.end();
      return;
    }
    if (this.state !== "ready" || !this.proxy || !this.provider) {
      sendLine(socket, { type: "retry", reason: "host is shutting down" });
      socket.end();
      return;
    }
    this.types.register(request.resourceTypes ?? [], request.dataSourceTypes ?? []);
    this.active++;
    this.uses++;
    this.leaseSockets.add(socket);
    clearTimeout(this.idleTimer);
    socket.on("close", () => this.onRelease(socket));
    sendLine(socket, {
      type: "granted",
      protocolVersion: this.provider.endpoint.protocolVersion,
      proxySocket: this.paths.proxySocket(process.pid),
      hostPid: process.pid,
      providerPid: this.provider.endpoint.pid,
    });
    this.log(`lease ${this.uses} granted (${this.active} active)`);
    onEachLine(socket, (line) => this.onRun(socket, line));
  }

  /** A leaseholder hands over its operation: it joins the next batch of this host's engine runs. */
  private onRun(socket: Socket, line: string): void {
    let message: RunMessage | InterruptMessage;
    try {
      message = parseExact(line) as RunMessage | InterruptMessage;
      if (message.type === "interrupt") {
        this.onInterrupt(socket, message.signal);
        return;
      }
      if (message.type !== "run" || !message.job) throw new Error("not a run message");
    } catch {
      sendExact(socket, { type: "error", message: "malformed run request" });
      return;
    }
    // Reads are batched apart: a batch of data sources is one apply that only reads.
    const kind = message.job.action === "read" ? "read" : "write";
    const configKey = canonicalHash(message.providerConfig);
    const group = `${kind}\0${message.engine}\0${message.pluginDir ?? ""}\0${message.provider}\0${configKey}`;
    // The first of a configuration: its engine's validation requests are answered while that engine starts.
    this.proxy
      ?.warmUpValidation({
        key: configKey,
        value: message.providerConfig,
        credentials: message.providerCredentials ?? [],
      })
      .catch((error: Error) => this.log(`warm-up validation failed: ${error.message}`));
    const run: QueuedRun = { message, socket };
    this.runs.set(socket, run);
    // On its way to the batcher meanwhile: at a cold burst's start most runs are here, and a batch that did not
    // count them started with the first 13 of 100.
    const arrived = this.batcher.announce();
    // The operation's record names this host as running it before its engine can change anything.
    void acceptOnHost(message.pending)
      .catch((error: Error) => this.log(`could not mark the operation's record: ${error.message}`))
      .then(() => {
        arrived();
        if (run.interrupted) return; // answered by onInterrupt already
        this.batcher.submit({ group, item: run });
      });
  }

  /** The same interrupt as without a host: a run all of whose bridges were interrupted gets its engine's one
   * SIGINT; a queued operation never starts; one whose run goes on for others is withdrawn after a moment. */
  private onInterrupt(socket: Socket, signal: string): void {
    const run = this.runs.get(socket);
    if (!run || run.interrupted) return;
    run.interrupted = signal;
    if (this.batcher.remove(run) || !run.batch) {
      this.runs.delete(socket);
      const details = `interrupted by ${signal} before its engine run started; nothing was changed`;
      sendExact(socket, {
        type: "result",
        outcome: { kind: "failed", stage: "plan", details, providerLost: false, state: undefined },
      });
      return;
    }
    const batch = run.batch;
    if (!batch) return;
    if (batch.runs.every((r) => r.interrupted) && !batch.abort.signal.aborted) {
      this.log(`all ${batch.runs.length} operation(s) of an engine run were interrupted: SIGINT to the engine`);
      batch.abort.abort(signal);
    }
    setTimeout(() => {
      if (!this.runs.has(socket) || socket.destroyed) return;
      run.withdrawn = true;
      this.runs.delete(socket);
      sendExact(socket, {
        type: "withdrawn",
        message:
          `interrupted by ${signal} while the provider host was running it; the engine run ends without this bridge, ` +
          "and the state it produces is kept for the next operation on this resource (nixops4-opentofu pending list)",
      });
    }, WITHDRAW_AFTER_MS).unref();
  }

  private async runBatch(runs: QueuedRun[]): Promise<void> {
    const first = runs[0]!.message;
    const grant = { protocolVersion: this.provider!.endpoint.protocolVersion, hostPid: process.pid };
    const batch = { runs, abort: new AbortController() };
    for (const run of runs) run.batch = batch;
    const release = await acquireEngineSlot({ env: this.options.env, log: (line) => this.log(line) });
    const started = Date.now();
    let outcomes: JobOutcome[];
    try {
      outcomes = await runBatch(
        {
          engine: first.engine,
          provider: parseProviderRef(first.provider),
          providerConfig: first.providerConfig,
          providerCredentials: first.providerCredentials,
          pluginDir: first.pluginDir,
          baseEnv: this.options.env,
          attach: (workspace) => this.attachEngine(workspace, grant, runs),
          progress: (i, line) => {
            const socket = runs[i]!.socket;
            if (!socket.destroyed && !runs[i]!.withdrawn) sendExact(socket, { type: "progress", line });
          },
          signal: batch.abort.signal,
          // Terraform's default of 10 calls at once would make a batch of 50 five waves of provider calls.
          parallelism: Math.min(50, Math.max(10, runs.length)),
          beforeApply: async (actions) => {
            await Promise.all(
              runs.map((run, i) => applyingOnHost(run.message.pending, actions.get(i) ?? []).catch(() => false)),
            );
          },
        },
        runs.map((r) => r.message.job),
      );
    } catch (error) {
      const withheld = error instanceof ApplyWithheldError;
      for (const run of runs) {
        this.runs.delete(run.socket);
        await recordOnHost(run.message.pending, { kind: "error", message: (error as Error).message }).catch(
          () => false,
        );
        if (run.socket.destroyed || run.withdrawn) continue;
        if (!withheld) sendExact(run.socket, { type: "error", message: (error as Error).message });
        else {
          const details = `interrupted by ${run.interrupted ?? "a signal"} before applying; nothing was changed`;
          sendExact(run.socket, {
            type: "result",
            outcome: { kind: "failed", stage: "plan", details, providerLost: false, state: undefined },
          });
        }
      }
      return;
    } finally {
      await release();
    }
    this.log(`engine run for ${runs.length} operation(s) took ${Date.now() - started} ms`);
    await Promise.all(runs.map((run, i) => this.deliver(run, outcomes[i]!)));
  }

  /** How one engine run reaches the shared provider: through a door of its own in its private workspace, so that
   * its Stop at the run's deadline cancels its own calls in flight and no other run's (grpc-proxy.ts); through
   * the shared socket only if the workspace's path is too long for a unix socket. */
  private async attachEngine(
    workspace: string,
    grant: Omit<Parameters<typeof reattachValue>[1], "proxySocket">,
    runs: QueuedRun[],
  ): Promise<Attachment> {
    // The engine runner interrupts the engine at the earliest deadline of the run's operations (batch-run.ts).
    const deadline = Math.min(...runs.map((run) => run.message.job.deadline?.at ?? Infinity));
    const socketPath = join(workspace, "provider.sock");
    const shared = {
      engineEnv: {
        TF_REATTACH_PROVIDERS: reattachValue(this.options.providerAddress, {
          ...grant,
          proxySocket: this.paths.proxySocket(process.pid),
        }),
      },
      release: async () => undefined,
    };
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
      this.log(`workspace path too long for a socket of its own; the engine's stop cannot end its hung calls`);
      return shared;
    }
    const door = await this.proxy!.openDoor(socketPath, () => Date.now() >= deadline);
    return {
      engineEnv: {
        TF_REATTACH_PROVIDERS: reattachValue(this.options.providerAddress, { ...grant, proxySocket: socketPath }),
      },
      release: () => door.close(),
    };
  }

  /** Files the outcome in the operation's record, then sends it: a bridge gone by then (or killed before it reads
   * the answer) leaves it there, so that the operation NixOps4 retries adopts the object instead of making another. */
  private async deliver(run: QueuedRun, outcome: JobOutcome): Promise<void> {
    this.runs.delete(run.socket);
    if (run.withdrawn) {
      // A withdrawn bridge records the attempt itself as it leaves; ours, with the state, must come after it.
      if (!run.socket.destroyed)
        await Promise.race([new Promise((resolve) => run.socket.once("close", resolve)), sleep(10_000)]);
      await sleep(250);
    }
    const filed = await recordOnHost(run.message.pending, outcome).catch((error: Error) => {
      this.log(`could not record the outcome: ${error.message}`);
      return false;
    });
    if (!run.socket.destroyed && !run.withdrawn) {
      sendExact(run.socket, { type: "result", outcome });
      return;
    }
    this.log(
      `a bridge left before its ${run.message.pending.operation} finished; ${filed ? "its outcome is in its record" : "its record is no longer its own, nothing filed"}`,
    );
  }

  private onRelease(socket: Socket): void {
    if (!this.leaseSockets.delete(socket)) return;
    this.active--;
    const counts = (calls?: Map<string, number>) => [...(calls ?? [])].map(([m, n]) => `${m}=${n}`).join(" ");
    this.log(
      `lease released (${this.active} active); calls so far: ${counts(this.proxy?.calls)}; ` +
        `forwarded to the provider: ${counts(this.proxy?.forwarded)}`,
    );
    if (this.active > 0 || this.state !== "ready") return;
    if (this.uses >= this.options.maxUses && !this.batcher.busy) void this.drain(`served ${this.uses} leases`);
    else this.armIdle();
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () => {
        if (this.active > 0 || this.state !== "ready") return;
        // Operations whose bridges left still run: their state must be kept before the provider goes.
        if (this.batcher.busy) {
          this.armIdle();
          return;
        }
        if (this.uses >= this.options.maxUses) void this.drain(`served ${this.uses} leases`);
        else void this.drain(`idle for ${this.options.idleMs} ms`);
      },
      this.uses >= this.options.maxUses ? 1000 : this.options.idleMs,
    );
  }

  private flushWaiting(): void {
    for (const serve of this.waiting.splice(0)) serve();
  }

  /** Someone replaced our lock or control socket (should not happen, but then we are not the key's host). */
  private async selfCheck(): Promise<void> {
    if (this.state === "draining" || !this.lock) return;
    const ours = (await this.lock.stillHeld()) && (await inodeOf(this.paths.control)) === this.controlInode;
    if (!ours) void this.drain("lock or control socket was taken over");
  }

  drain(reason: string): Promise<void> {
    this.drained ??= this.shutdown(reason);
    return this.drained;
  }

  private async shutdown(reason: string): Promise<void> {
    this.state = "draining";
    this.log(`shutting down: ${reason}`);
    clearTimeout(this.idleTimer);
    clearInterval(this.checkTimer);
    // Stop accepting first and remove the socket, so bridges start a new host instead of waiting for this one.
    this.control?.close();
    if (this.controlInode !== undefined && (await inodeOf(this.paths.control)) === this.controlInode) {
      await rm(this.paths.control, { force: true });
    }
    this.flushWaiting();
    for (const socket of this.leaseSockets) socket.destroy();
    await this.proxy?.close().catch(() => undefined);
    const provider = this.provider ?? (await this.providerStart?.catch(() => undefined));
    await provider?.stop().catch(() => undefined);
    const metadata = await readHostMetadata(this.paths.metadata);
    if (metadata?.hostPid === process.pid) await rm(this.paths.metadata, { force: true });
    // The sweep may hold another key's lock; it must release it before this process exits.
    await this.swept;
    await this.lock?.release();
    this.log("stopped");
    this.finished();
  }
}
