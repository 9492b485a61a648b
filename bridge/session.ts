// One caller's protocol session: its request lines in, its response lines out, served by the resource operations
// with its settings and its interrupt. The bridge process runs one (bridge/in-process.ts); the operation server
// runs one per bridge that connects (bridge/operation-server/server.ts), all with the same settings, so what is
// costly to build (the engine's path, the provider's types, the compiled input validators) is built once and shared.
import type { Readable, Writable } from "node:stream";
import { resolveEngine } from "../opentofu/engine/engine-binary.js";
import type { Interrupts } from "../opentofu/engine/interrupts.js";
import { connectProvider, startSharedProvider } from "./operations/provider-attachment.js";
import { OpenTofuResources, validatorFor } from "./operations/resource-operations.js";
import { debugStacks, readOptions, type BridgeOptions } from "./options.js";
import type { ResourceHandler } from "./protocol/messages.js";
import { serve } from "./protocol/serve.js";
import type { InputValidator } from "./requests/validate-inputs.js";
import { loadProviderTypes, type ProviderTypes } from "./schema/provider-types.js";

/** What every session with the same settings shares. */
export class BridgeServices {
  readonly engine: string;
  readonly validator: InputValidator;
  private types?: Promise<ProviderTypes>;

  constructor(
    readonly options: BridgeOptions,
    private readonly log: (line: string) => void,
  ) {
    this.engine = resolveEngine(options.engine);
    this.validator = validatorFor(options);
  }

  providerTypes(): Promise<ProviderTypes> {
    const { options } = this;
    this.types ??= loadProviderTypes({
      cacheRoot: options.cacheDir,
      provider: options.provider,
      engine: this.engine,
      pluginDir: options.pluginDir,
      log: this.log,
    });
    // A failed load (a transient engine error) is tried again by the next operation.
    this.types.catch(() => (this.types = undefined));
    return this.types;
  }
}

export interface SessionOptions {
  argv: string[];
  env: NodeJS.ProcessEnv;
  input: Readable;
  output: Writable;
  log: (line: string) => void;
  interrupts: Interrupts;
  /** The services of sessions with these settings; built on the first request (a settings error is answered). */
  services: () => BridgeServices;
  /** Told when an operation starts (true) and once its response is written (false). */
  onBusy?: (busy: boolean) => void;
}

function handlerFor(services: BridgeServices, session: SessionOptions): ResourceHandler {
  const { options, engine } = services;
  const { log } = session;
  return new OpenTofuResources({
    options,
    engine,
    log,
    interrupts: session.interrupts,
    validator: services.validator,
    types: () => services.providerTypes(),
    startProvider: (providerConfig, label) =>
      startSharedProvider({
        provider: options.provider,
        providerConfig,
        pluginDir: options.pluginDir,
        cacheDir: options.cacheDir,
        providerHost: options.providerHost,
        label,
        log,
      }),
    connect: (prepared) =>
      connectProvider({
        engine,
        provider: options.provider,
        providerConfig: prepared.providerConfig,
        providerCredentials: prepared.providerCredentials,
        resources: [prepared.resource],
        pluginDir: options.pluginDir,
        cacheDir: options.cacheDir,
        providerHost: options.providerHost,
        engineSlots: options.engineSlots,
        label: prepared.label,
        log,
      }),
  });
}

/** Serves the session until its input ends or an interrupt stopped it. */
export async function runSession(session: SessionOptions): Promise<void> {
  let handler: ResourceHandler | undefined;
  await serve({
    input: session.input,
    output: session.output,
    log: session.log,
    debug: debugStacks(session.env),
    handler: () => {
      session.onBusy?.(true);
      handler ??= handlerFor(session.services(), session);
      return handler;
    },
    shouldStop: () => {
      session.onBusy?.(false);
      return session.interrupts.by() !== undefined;
    },
  });
}

/** Services built from a bridge's command line and environment. */
export function servicesFrom(
  argv: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): () => BridgeServices {
  let services: BridgeServices | undefined;
  return () => (services ??= new BridgeServices(readOptions(argv, env), log));
}
