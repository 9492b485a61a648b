// How an operation gets its provider, and so who runs its engine: the shared long-lived provider's host, which runs
// the engine attached to it (no init, no lock-file hashing, no provider start) and batches concurrent operations;
// else this process, with the engine's own `init` in its workspace. Either way the operation gets a JobRunner.
import { join } from "node:path";
import { canonicalHash } from "../json/canonical-json.js";
import { locateProviderBinary } from "../engine/provider-binary.js";
import {
  acquireEngineSlot,
  acquireProviderLease,
  hostRunner,
  type ProviderLease,
} from "../provider-host/client/index.js";
import type { JobRunner } from "../jobs/job-runner.js";
import { localRunner } from "../jobs/local-runner.js";
import type { ProviderRef } from "../../opentofu/provider/provider-address.js";
import type { Attachment } from "../jobs/attachment.js";
import type { ProviderHostSettings } from "../options.js";

export type { Attachment };
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";

export interface ConnectOptions {
  engine: string;
  provider: ProviderRef;
  providerConfig: Record<string, unknown>;
  /** Where providerConfig holds credentials (kept out of the workspace's files, jobs/batch-run.ts). */
  providerCredentials?: (string | number)[][];
  /** The resources the workspace holds (their schemas are what the shared provider serves). */
  resources: { mode: ResourceMode; type: string }[];
  pluginDir?: string;
  cacheDir: string;
  label: string;
  log: (line: string) => void;
  /** BridgeOptions.providerHost and .engineSlots. */
  providerHost?: ProviderHostSettings;
  engineSlots?: number;
}

/** How an operation reaches its provider: a JobRunner, on the shared provider's host (which batches this operation
 * with concurrent ones of the same provider configuration) or here (the fallback: the engine's own init). */
export type ProviderConnection = JobRunner;

export async function connectProvider(options: ConnectOptions): Promise<JobRunner> {
  const lease = await leaseSharedProvider(options);
  if (lease) return hostRunner(lease, options);
  // Engine runs of this process are bounded machine-wide; the host bounds its own.
  const releaseSlot = await acquireEngineSlot({
    slots: options.engineSlots,
    log: (line) => options.log(`${options.label}: ${line}`),
  });
  return localRunner({
    engine: options.engine,
    provider: options.provider,
    providerConfig: options.providerConfig,
    providerCredentials: options.providerCredentials,
    pluginDir: options.pluginDir,
    baseEnv: process.env,
    attach: async (workspace, baseEnv) =>
      (await import("./workspace-init.js")).initWorkspace({ ...options, workspace, baseEnv }),
    release: releaseSlot,
  });
}

async function leaseSharedProvider(options: ConnectOptions): Promise<ProviderLease | null> {
  // With a plugin dir the user chose where providers come from; otherwise the engine installed it into our cache.
  const binaryPath = locateProviderBinary(
    [options.pluginDir ?? join(options.cacheDir, "plugin-cache")],
    options.provider,
  );
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
    settings: options.providerHost,
    cacheDir: options.cacheDir,
  });
  return lease;
}
