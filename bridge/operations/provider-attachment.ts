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
  startProviderHost,
  type HostRequest,
  type ProviderLease,
} from "../provider-host/client/index.js";
import type { JobRunner } from "../jobs/job-runner.js";
import { localRunner } from "../jobs/local-runner.js";
import type { ProviderRef } from "../../opentofu/provider/provider-address.js";
import type { Attachment } from "../jobs/attachment.js";
import type { ProviderHostSettings } from "../options.js";

export type { Attachment };
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";

/** What decides which shared provider an operation uses. */
export type HostOptions = Pick<
  ConnectOptions,
  "provider" | "providerConfig" | "pluginDir" | "cacheDir" | "label" | "log" | "providerHost"
>;

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

/** The shared provider's host for these options, or null when the provider binary is not where the engine would
 * take it from (the engine then installs and starts it itself). */
function hostRequest(options: HostOptions): HostRequest | null {
  // With a plugin dir the user chose where providers come from; otherwise the engine installed it into our cache.
  const binaryPath = locateProviderBinary(
    [options.pluginDir ?? join(options.cacheDir, "plugin-cache")],
    options.provider,
  );
  if (!binaryPath) return null;
  return {
    providerAddress: options.provider.address,
    providerVersion: options.provider.version,
    binaryPath,
    env: process.env,
    configKey: canonicalHash(options.providerConfig),
    log: (line) => options.log(`${options.label}: ${line}`),
    settings: options.providerHost,
    cacheDir: options.cacheDir,
  };
}

async function leaseSharedProvider(options: ConnectOptions): Promise<ProviderLease | null> {
  const request = hostRequest(options);
  if (!request) return null;
  return acquireProviderLease({
    ...request,
    resourceTypes: options.resources.filter((r) => r.mode === "managed").map((r) => r.type),
    dataSourceTypes: options.resources.filter((r) => r.mode === "data").map((r) => r.type),
  });
}

/** Has the shared provider's host start, if none runs, while the operation validates its inputs: the lease that
 * connectProvider takes later then finds it up, or on its way. Not awaited by anyone; never fails. */
export function startSharedProvider(options: HostOptions): void {
  const request = hostRequest(options);
  if (request) void startProviderHost(request);
}
