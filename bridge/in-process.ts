#!/usr/bin/env node
// nixops4-resources-opentofu: the resource provider executable NixOps4 starts. The protocol owns stdout; anything
// else that would print there (console.log in a dependency) is sent to stderr. Started by the launcher
// bin/nixops4-resources-opentofu, which also chooses the Node flags (a lean heap, no optimising compilers).
import { Writable } from "node:stream";
import { resolveEngine } from "../opentofu/engine/engine-binary.js";
import { installInterruptHandlers, interruptSignal } from "../opentofu/engine/interrupts.js";
import { connectProvider } from "./operations/provider-attachment.js";
import { OpenTofuResources } from "./operations/resource-operations.js";
import { restoreLauncherEnvironment } from "./launcher-environment.js";
import { debugStacks, readOptions, type BridgeOptions } from "./options.js";
import type { ResourceHandler } from "./protocol/messages.js";
import { serve } from "./protocol/serve.js";
import { loadProviderTypes, type ProviderTypes } from "./schema/provider-types.js";

restoreLauncherEnvironment(process.env);

const protocolWrite = process.stdout.write.bind(process.stdout);
const protocolOut = new Writable({
  write(chunk, _encoding, callback) {
    protocolWrite(chunk as string | Uint8Array, callback);
  },
});
// NixOps4 may close our pipes while an operation runs (it crashed, or gave up). Writing then fails with EPIPE;
// unhandled, that would kill the bridge mid-operation. The operation finishes, serve() sees the response was not
// written and leaves its outcome recorded for the next operation; log lines are simply lost.
protocolOut.on("error", () => undefined);
process.stdout.on("error", () => undefined);
process.stderr.on("error", () => undefined);
const toStderr = (...args: unknown[]) => process.stderr.write(args.map(String).join(" ") + "\n");
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;
process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) =>
  (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest);

const log = (line: string) => process.stderr.write(`[opentofu] ${line}\n`);

function makeHandler(options: BridgeOptions): ResourceHandler {
  const engine = resolveEngine(options.engine);
  let types: Promise<ProviderTypes> | undefined;
  return new OpenTofuResources({
    options,
    engine,
    log,
    types: () => {
      types ??= loadProviderTypes({
        cacheRoot: options.cacheDir,
        provider: options.provider,
        engine,
        pluginDir: options.pluginDir,
        log,
      });
      types.catch(() => (types = undefined));
      return types;
    },
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

let busy = false;
installInterruptHandlers((signal) => {
  if (!busy) process.exit(signal === "SIGINT" ? 130 : 143);
  log(`${signal} received: letting the engine finish and keep its state, then stopping`);
});

let handler: ResourceHandler | undefined;
await serve({
  input: process.stdin,
  output: protocolOut,
  log,
  debug: debugStacks(process.env),
  handler: () => {
    busy = true;
    handler ??= makeHandler(readOptions(process.argv.slice(2), process.env));
    return handler;
  },
  shouldStop: () => {
    busy = false;
    return interruptSignal() !== undefined;
  },
});
process.exitCode = interruptSignal() ? 1 : 0;
