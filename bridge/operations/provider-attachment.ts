// How an operation gets its provider: through the shared long-lived provider's host, which runs the engine
// attached to it (no init, no lock-file hashing, no provider start) and batches concurrent operations; else the
// engine's own `init` in a workspace of this process.
import { join } from "node:path";
import { canonicalHash } from "../json/canonical-json.js";
import { locateProviderBinary } from "../engine/provider-binary.js";
import { acquireEngineSlot, acquireProviderLease, type ProviderLease } from "../provider-host/index.js";
import type { ProviderRef } from "../engine/provider-address.js";
import type { Attachment } from "../jobs/attachment.js";

export type { Attachment };

export interface ConnectOptions {
  engine: string;
  provider: ProviderRef;
  providerConfig: Record<string, unknown>;
  /** The resources the workspace holds (their schemas are what the shared provider serves). */
  resources: { mode: "managed" | "data"; type: string }[];
  pluginDir?: string;
  cacheDir: string;
  label: string;
  log: (line: string) => void;
}

/** How an operation reaches its provider. "host": the shared provider's host runs the engine, batching this
 * operation with concurrent ones of the same provider configuration. "local": this process runs the engine on a
 * workspace it attaches itself (the fallback: the engine's own init). */
export type ProviderConnection =
  | { kind: "host"; run: ProviderLease["run"]; release(): Promise<void> }
  | { kind: "local"; attach(workspace: string, env: Record<string, string | undefined>): Promise<Attachment>; release(): Promise<void> };

export async function connectProvider(options: ConnectOptions): Promise<ProviderConnection> {
  const lease = await leaseSharedProvider(options);
  if (lease) return { kind: "host", run: lease.run, release: () => lease.release() };
  // Engine runs of this process are bounded machine-wide; the host bounds its own.
  const releaseSlot = await acquireEngineSlot({ log: (line) => options.log(`${options.label}: ${line}`) });
  return {
    kind: "local",
    attach: async (workspace, baseEnv) => (await import("./workspace-init.js")).initWorkspace({ ...options, workspace, baseEnv }),
    release: releaseSlot,
  };
}

async function leaseSharedProvider(options: ConnectOptions): Promise<ProviderLease | null> {
  // With a plugin dir the user chose where providers come from; otherwise the engine installed it into our cache.
  const binaryPath = locateProviderBinary([options.pluginDir ?? join(options.cacheDir, "plugin-cache")], options.provider);
  if (!binaryPath) return null;
  const lease = await acquireProviderLease({
    providerAddress: options.provider.address,
    providerVersion: options.provider.version,
    binaryPath,
    env: process.env,
    configKey: canonicalHash(options.providerConfig),
    resourceTypes: options.resources.filter((r) => r.mode === "managed").map((r) => r.type),
    dataSourceTypes: options.resources.filter((r) => r.mode === "data").map((r) => r.type),
    log: (line) => options.log(`${options.label}: ${line}`),
  });
  return lease;
}

