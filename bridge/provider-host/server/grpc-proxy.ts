// A gRPC proxy in front of one debug-mode provider. Engines attach to the proxy instead of the provider; every
// call is forwarded as raw bytes except the few that make sharing one provider process correct and cheap:
// - Configure(Provider): the provider keeps one configured client and some providers (AWS with AWS_CA_BUNDLE)
//   fail when configured twice, so the first successful configure is cached and identical later ones are
//   answered from the cache. The host key already guarantees every engine sends the same configuration.
// - GetSchema / GetProviderSchema (and GetResourceIdentitySchemas): fetched once, answered with only the types
//   leases registered, so each engine decodes a few KB instead of the whole provider schema. The full answer is
//   also kept on disk (schema-disk-cache.ts): a later host of the same binary never asks the provider for it.
// - Stop(Provider): would cancel every engine's in-flight calls, so it is never forwarded. Each engine run of the
//   host attaches through a door of its own (openDoor, a socket in its workspace). A Stop that comes through a
//   door once the run's deadline has passed cancels that door's calls in flight and nothing else: an engine
//   interrupted at its deadline gets its hung call back at once, as from a provider of its own, while other
//   engine runs' calls go on. Before the deadline (Ctrl-C) a Stop is only acknowledged, so that the calls in
//   flight finish and their state is written; so it is on the shared socket, which several engines may use.
// - go-plugin's own services (stdio, broker, controller, health) are answered by the proxy itself: the provider
//   process belongs to the host, not to any engine, and its output never goes to an engine.
import * as grpc from "@grpc/grpc-js";
import { chmod, rm } from "node:fs/promises";
import { CallScope } from "./call-scope.js";
import {
  CONFIGURE_REQUEST,
  CONFIGURE_RESPONSE,
  GO_PLUGIN,
  SCHEMA_RESPONSE,
  type MethodSpec,
  type ProtocolSpec,
} from "./plugin-protocol.js";
import { encodeVarintField, payloadsOf } from "./protobuf-wire.js";
import { configRequests, emptyConfigRequest, UnpredictableRequest } from "./provider-config-requests.js";
import type { ConfigPath } from "../../workspace/provider-credentials.js";
import { hasErrorDiagnostic, pruneIdentitySchemas, pruneProviderSchema, type RegisteredTypes } from "./schema-prune.js";
import type { StoredSchemaRead } from "./schema-disk-cache.js";

const identity = {
  serialize: (value: Buffer) => value,
  deserialize: (value: Buffer) => value,
};

// The AWS schema alone is 13 MB; grpc-js defaults to 4 MB.
const UNLIMITED_MESSAGES = {
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
};

export interface ProxyOptions {
  spec: ProtocolSpec;
  /** The provider's go-plugin unix socket. */
  upstreamSocket: string;
  /** Where the proxy listens (unix socket path). */
  socketPath: string;
  types: RegisteredTypes;
  /** Serve pruned schemas (default). Off only for measuring what pruning saves. */
  prune: boolean;
  /** The provider's full schema answer kept on disk (SchemaDiskCache), when the host has a cache dir. */
  storedSchema?: StoredSchema;
  log: (line: string) => void;
}

type UnaryHandler = (request: Buffer, call: grpc.ServerUnaryCall<Buffer, Buffer>) => Promise<Buffer>;

/** Where the provider's schema answer is kept between hosts (schema-disk-cache.ts). */
export interface StoredSchema {
  read(): Promise<StoredSchemaRead>;
  write(schema: Buffer): Promise<void>;
}

/** A provider configuration as the bridges hand it over, for warmUpValidation. */
export interface WarmUpConfig {
  /** Tells configurations apart (their canonical hash). */
  key: string;
  value: Record<string, unknown>;
  /** Where it holds credentials. */
  credentials: ConfigPath[];
}

const EMPTY_CONFIG = "";

/** One engine run's own way in to the shared provider (ProviderProxy.openDoor). */
export interface ProxyDoor {
  socketPath: string;
  close(): Promise<void>;
}

interface DoorCalls {
  scope: CallScope;
  /** Whether a Stop now cancels the calls in flight (else it is only acknowledged). */
  stopCancels: () => boolean;
}

/** What the engine gets for a call its own StopProvider cancelled. */
function stoppedError(method: string): grpc.ServiceError {
  const details = `${method} was cancelled by the engine's own stop request (its interrupt); the shared provider goes on`;
  return Object.assign(new Error(details), { code: grpc.status.CANCELLED, details, metadata: new grpc.Metadata() });
}

export class ProviderProxy {
  /** How often each method was called by engines, for the host log. */
  readonly calls = new Map<string, number>();
  /** How often each unary method was sent on to the provider, for the host log. */
  readonly forwarded = new Map<string, number>();
  private readonly client: grpc.Client;
  private readonly server: grpc.Server;
  private fullSchema?: Promise<Buffer>;
  /** The full schema was read from the disk cache, not asked of the provider. */
  private schemaFromDisk = false;
  private prunedSchema?: { generation: number; bytes: Buffer };
  private configured?: { key: Buffer; response: Buffer };
  /** Provider-config validation answers by request bytes: the host's key pins the configuration and environment,
   * so the answer cannot change, and the AWS provider spends 0.1–0.25 s on each (three per operation). */
  private readonly validatedConfigs = new Map<string, Promise<Buffer>>();
  /** The configurations (WarmUpConfig.key) warmed up so far, and EMPTY_CONFIG once the empty one was. */
  private readonly warmedUp = new Set<string>();
  private configureQueue: Promise<unknown> = Promise.resolve();
  private readonly openStreams = new Set<
    grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>
  >();
  private readonly doors = new Set<ProxyDoor>();

  private constructor(private readonly options: ProxyOptions) {
    this.client = new grpc.Client(
      `unix://${options.upstreamSocket}`,
      grpc.credentials.createInsecure(),
      UNLIMITED_MESSAGES,
    );
    this.server = new grpc.Server(UNLIMITED_MESSAGES);
  }

  static async start(options: ProxyOptions): Promise<ProviderProxy> {
    const proxy = new ProviderProxy(options);
    proxy.addProviderService(proxy.server);
    proxy.addGoPluginServices(proxy.server);
    await listen(proxy.server, options.socketPath);
    return proxy;
  }

  /** A socket of its own for one engine run (in its private workspace): a Stop through it while `stopCancels()`
   * cancels its own calls in flight, never another door's. */
  async openDoor(socketPath: string, stopCancels: () => boolean): Promise<ProxyDoor> {
    const server = new grpc.Server(UNLIMITED_MESSAGES);
    const scope = new CallScope();
    this.addProviderService(server, { scope, stopCancels });
    this.addGoPluginServices(server);
    await listen(server, socketPath);
    const door: ProxyDoor = {
      socketPath,
      close: async () => {
        if (!this.doors.delete(door)) return;
        // What is still in flight belongs to an engine that is gone: nobody waits for its answer.
        scope.stop();
        server.forceShutdown();
        await rm(socketPath, { force: true });
      },
    };
    this.doors.add(door);
    return door;
  }

  /** Fetches and caches the full schema now, so the first engine does not wait for it. */
  prefetchSchema(): Promise<Buffer> {
    return this.schema();
  }

  /** Has the provider validate, once per configuration, the requests the engine's first command will send for it
   * (provider-config-requests.ts) while that engine starts: the AWS provider spends 0.1-0.35 s on each new one,
   * and every engine validates before anything else. Where those requests cannot be predicted, the configuration
   * of a workspace without a provider block is validated instead, once: the provider's first validation costs
   * ~0.25 s more than later ones. Only when the schema came from the disk cache: with a schema fetched from the
   * provider the engines are already asking by then. Validation is offline (`terraform validate` runs it without
   * credentials) and configures nothing. */
  async warmUpValidation(config: WarmUpConfig): Promise<void> {
    if (this.warmedUp.has(config.key)) return;
    this.warmedUp.add(config.key);
    const schema = await this.schema();
    if (!this.schemaFromDisk) return;
    let requests: Buffer[] | undefined;
    let what = "the provider configuration";
    try {
      requests = configRequests(schema, config.value, config.credentials);
    } catch (error) {
      if (!(error instanceof UnpredictableRequest)) throw error;
      if (this.warmedUp.has(EMPTY_CONFIG)) return;
      this.warmedUp.add(EMPTY_CONFIG);
      const empty = emptyConfigRequest(schema);
      requests = empty && [empty];
      what = `the empty provider configuration (the engine's own requests cannot be predicted: ${error.message})`;
    }
    if (!requests?.length) return;
    const started = Date.now();
    // One after the other, in the engine's order: both at once kept both cores busy while the engine was starting,
    // and the engine reached its first request ~0.1 s later.
    const answers: Buffer[] = [];
    for (const request of requests) answers.push(await this.validateConfig(request));
    const errors = answers.filter((a) => hasErrorDiagnostic(a, this.options.spec.validateConfigDiagnostics)).length;
    this.options.log(
      `warm-up validation of ${what}: ${requests.length} request(s), ` +
        `${errors > 0 ? `${errors} with an error` : "no error"}, ${Date.now() - started} ms`,
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.doors].map((door) => door.close()));
    for (const stream of this.openStreams) stream.end();
    this.server.forceShutdown();
    this.client.close();
    await rm(this.options.socketPath, { force: true });
  }

  private count(method: string, counts = this.calls): void {
    counts.set(method, (counts.get(method) ?? 0) + 1);
  }

  private path(method: string): string {
    return `/${this.options.spec.service}/${method}`;
  }

  private forwardUnary(
    method: string,
    request: Buffer,
    call?: grpc.ServerUnaryCall<Buffer, Buffer>,
    scope?: CallScope,
  ): Promise<Buffer> {
    this.count(method, this.forwarded);
    return new Promise((resolve, reject) => {
      const options: grpc.CallOptions = {};
      const deadline = call?.getDeadline();
      if (deadline !== undefined && deadline !== Infinity) options.deadline = deadline;
      let stopped = false;
      const upstream = this.client.makeUnaryRequest(
        this.path(method),
        identity.serialize,
        identity.deserialize,
        request,
        new grpc.Metadata(),
        options,
        (error, response) => {
          ended?.();
          if (stopped) reject(stoppedError(method));
          else if (error) reject(error);
          else resolve(response!);
        },
      );
      const ended = scope?.track(() => {
        stopped = true;
        upstream.cancel();
      });
      call?.on("cancelled", () => upstream.cancel());
    });
  }

  private schema(): Promise<Buffer> {
    if (!this.fullSchema) {
      this.fullSchema = this.loadSchema();
      this.fullSchema.catch(() => (this.fullSchema = undefined));
    }
    return this.fullSchema;
  }

  private async loadSchema(): Promise<Buffer> {
    const { storedSchema, log } = this.options;
    let started = Date.now();
    const stored = await storedSchema?.read();
    if (stored?.kind === "hit") {
      this.schemaFromDisk = true;
      log(`full schema read from the disk cache: ${stored.schema.length} bytes, waited ${Date.now() - started} ms`);
      return stored.schema;
    }
    if (stored?.kind === "unusable") log(`disk cache of the schema not used (${stored.reason}): fetching it`);
    started = Date.now();
    const bytes = await this.forwardUnary(this.options.spec.schemaMethod, Buffer.alloc(0));
    if (hasErrorDiagnostic(bytes, SCHEMA_RESPONSE.diagnostics)) {
      // Not cached: a later call may succeed, and the engine must see this one's diagnostics as they are.
      this.fullSchema = undefined;
      return bytes;
    }
    log(`full schema fetched: ${bytes.length} bytes in ${Date.now() - started} ms`);
    // Not awaited: the engines need the answer now, and a cache that cannot be written only costs the next host.
    void storedSchema?.write(bytes).then(
      () => log("full schema written to the disk cache"),
      (error: Error) => log(`could not write the schema to the disk cache: ${error.message}`),
    );
    return bytes;
  }

  private async servedSchema(): Promise<Buffer> {
    const full = await this.schema();
    if (!this.options.prune || hasErrorDiagnostic(full, SCHEMA_RESPONSE.diagnostics)) return full;
    const { types } = this.options;
    if (this.prunedSchema?.generation !== types.generation) {
      const bytes = pruneProviderSchema(full, types);
      this.prunedSchema = { generation: types.generation, bytes };
      this.options.log(
        `pruned schema: ${bytes.length} bytes for ${types.resources.size} resource and ` +
          `${types.dataSources.size} data source types`,
      );
    }
    return this.prunedSchema.bytes;
  }

  private configure(request: Buffer, call: grpc.ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
    // Only the configuration decides what client the provider builds. Terraform 1.11 sends different client
    // capabilities from `plan` (write_only_attributes_allowed) and `apply` (also deferral_allowed), and engines
    // sharing a host may differ in version; a successful configure of a wholly known configuration is valid for
    // all of them.
    const key = Buffer.concat(payloadsOf(request, CONFIGURE_REQUEST.config));
    const run = async (): Promise<Buffer> => {
      if (this.configured && this.configured.key.equals(key)) return this.configured.response;
      if (this.configured) {
        this.options.log("configure request with a different configuration than the cached one: forwarding it");
      }
      const response = await this.forwardUnary(this.options.spec.configureMethod, request, call);
      if (!hasErrorDiagnostic(response, CONFIGURE_RESPONSE.diagnostics)) this.configured = { key, response };
      else this.options.log("provider configure returned an error diagnostic (not cached)");
      return response;
    };
    // Serialised: two engines attaching at once must not both configure the fresh provider.
    const result = this.configureQueue.then(run, run);
    this.configureQueue = result.catch(() => undefined);
    return result;
  }

  private validateConfig(request: Buffer, call?: grpc.ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
    const key = request.toString("base64");
    let answer = this.validatedConfigs.get(key);
    if (!answer) {
      if (this.validatedConfigs.size >= 64) this.validatedConfigs.clear();
      answer = this.forwardUnary(this.options.spec.validateConfigMethod, request, call);
      this.validatedConfigs.set(key, answer);
      // A transport failure is not an answer: the next engine asks the provider again.
      answer.catch(() => this.validatedConfigs.delete(key));
    }
    return answer;
  }

  private special(door: DoorCalls | undefined): Map<string, UnaryHandler> {
    const { spec, prune } = this.options;
    const handlers = new Map<string, UnaryHandler>();
    handlers.set(spec.schemaMethod, () => this.servedSchema());
    handlers.set(spec.configureMethod, (request, call) => this.configure(request, call));
    handlers.set(spec.validateConfigMethod, (request, call) => this.validateConfig(request, call));
    handlers.set(spec.stopMethod, async () => {
      if (!door?.stopCancels()) {
        this.options.log(`${spec.stopMethod} from an engine acknowledged without stopping the shared provider`);
      } else {
        const cancelled = door.scope.stop();
        this.options.log(
          `${spec.stopMethod} from an engine run: cancelled its ${cancelled} call(s) in flight; the shared provider goes on`,
        );
      }
      return Buffer.alloc(0);
    });
    if (prune) {
      handlers.set("GetResourceIdentitySchemas", async (request, call) =>
        pruneIdentitySchemas(await this.forwardUnary("GetResourceIdentitySchemas", request, call), this.options.types),
      );
    }
    return handlers;
  }

  /** The provider's service on `server`; a door's scope holds its forwarded calls, for its Stop (none: Stop is
   * only acknowledged). */
  private addProviderService(server: grpc.Server, door?: DoorCalls): void {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    const special = this.special(door);
    const scope = door?.scope;
    for (const method of this.options.spec.methods) {
      definition[method.name] = this.methodDefinition(this.options.spec.service, method);
      const handler = special.get(method.name);
      implementation[method.name] = handler
        ? this.unaryHandler(method.name, handler)
        : this.forwardingHandler(method, scope);
    }
    server.addService(definition, implementation);
  }

  private methodDefinition(service: string, method: MethodSpec): grpc.MethodDefinition<Buffer, Buffer> {
    return {
      path: `/${service}/${method.name}`,
      requestStream: method.kind === "client-stream" || method.kind === "bidi",
      responseStream: method.kind === "server-stream" || method.kind === "bidi",
      requestSerialize: identity.serialize,
      requestDeserialize: identity.deserialize,
      responseSerialize: identity.serialize,
      responseDeserialize: identity.deserialize,
    };
  }

  private unaryHandler(name: string, handler: UnaryHandler): grpc.handleUnaryCall<Buffer, Buffer> {
    return (call, callback) => {
      this.count(name);
      handler(call.request, call).then(
        (response) => callback(null, response),
        (error: grpc.ServiceError) => callback(error),
      );
    };
  }

  private forwardingHandler(method: MethodSpec, scope: CallScope | undefined): grpc.UntypedHandleCall {
    const path = this.path(method.name);
    /** Streams: the engine gets the stopped error once its Stop cancelled the upstream half. */
    const trackStream = (upstream: grpc.Call, call: { destroy(error?: Error): void } | null) => {
      const ended = scope?.track(() => {
        upstream.cancel();
        call?.destroy(stoppedError(method.name));
      });
      if (ended) upstream.on("status", ended);
    };
    switch (method.kind) {
      case "unary":
        return this.unaryHandler(method.name, (request, call) => this.forwardUnary(method.name, request, call, scope));
      case "server-stream":
        return (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
          this.count(method.name);
          const upstream = this.client.makeServerStreamRequest(
            path,
            identity.serialize,
            identity.deserialize,
            call.request,
            new grpc.Metadata(),
          );
          upstream.on("data", (chunk: Buffer) => call.write(chunk));
          upstream.on("end", () => call.end());
          upstream.on("error", (error: grpc.ServiceError) => call.destroy(error));
          call.on("cancelled", () => upstream.cancel());
          trackStream(upstream, call);
        };
      case "client-stream":
        return (call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          this.count(method.name);
          const upstream = this.client.makeClientStreamRequest(
            path,
            identity.serialize,
            identity.deserialize,
            new grpc.Metadata(),
            (error, response) => (error ? callback(error) : callback(null, response)),
          );
          call.on("data", (chunk: Buffer) => upstream.write(chunk));
          call.on("end", () => upstream.end());
          call.on("cancelled", () => upstream.cancel());
          trackStream(upstream, null);
        };
      case "bidi":
        return (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
          this.count(method.name);
          const upstream = this.client.makeBidiStreamRequest(
            path,
            identity.serialize,
            identity.deserialize,
            new grpc.Metadata(),
          );
          upstream.on("data", (chunk: Buffer) => call.write(chunk));
          upstream.on("end", () => call.end());
          upstream.on("error", (error: grpc.ServiceError) => call.destroy(error));
          call.on("data", (chunk: Buffer) => upstream.write(chunk));
          call.on("end", () => upstream.end());
          call.on("cancelled", () => upstream.cancel());
          trackStream(upstream, call);
        };
    }
  }

  private addGoPluginServices(server: grpc.Server): void {
    const { stdio, controller, broker, health, healthServing } = GO_PLUGIN;
    const add = (service: string, method: MethodSpec, handler: grpc.UntypedHandleCall) => {
      server.addService({ [method.name]: this.methodDefinition(service, method) }, { [method.name]: handler });
    };
    // The engine opens a stdio stream to mirror the plugin's output into its log; the shared provider's output
    // is not the engine's, so the stream stays open and silent until the engine hangs up.
    add(
      stdio.service,
      { name: stdio.method, kind: "server-stream" },
      (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        this.count(`${stdio.service}/${stdio.method}`);
        this.holdOpen(call);
      },
    );
    // The broker serves plugin-to-host callbacks, which providers do not use: accept and ignore.
    add(broker.service, { name: broker.method, kind: "bidi" }, (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      this.count(`${broker.service}/${broker.method}`);
      call.on("data", () => undefined);
      call.on("end", () => call.end());
      this.holdOpen(call);
    });
    // An engine shutting "its" plugin down must not stop the provider other engines share.
    add(
      controller.service,
      { name: controller.method, kind: "unary" },
      this.unaryHandler(`${controller.service}/${controller.method}`, async () => Buffer.alloc(0)),
    );
    add(
      health.service,
      { name: health.method, kind: "unary" },
      this.unaryHandler(`${health.service}/${health.method}`, async () =>
        encodeVarintField(healthServing.field, healthServing.value),
      ),
    );
  }

  private holdOpen(call: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>): void {
    this.openStreams.add(call);
    const forget = () => this.openStreams.delete(call);
    call.on("cancelled", forget);
    call.on("close", forget);
    call.on("error", forget);
  }
}

async function listen(server: grpc.Server, socketPath: string): Promise<void> {
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    );
  });
  await chmod(socketPath, 0o600);
}
