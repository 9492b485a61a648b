// Shares one long-lived provider process among many short-lived bridge processes. See host-server.ts for the
// host's lifecycle and grpc-proxy.ts for what the proxy changes about the plugin protocol.
//
// Settings: ProviderHostSettings in options.ts, read once with the bridge's other options.
import { accessSync, constants } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { buildId } from "../../build/build-id.js";
import { providerHostSettings, type ProviderHostSettings } from "../../options.js";
import { interruption } from "../../../opentofu/engine/interrupts.js";
import type { JobOutcome } from "../../jobs/batch-run.js";
import type { JobRunner } from "../../jobs/job-runner.js";
import type { ProviderRef } from "../../../opentofu/provider/provider-address.js";
import {
  closeLease,
  hostEntryPath,
  HostRunError,
  leaseFromHost,
  runOnHost,
  startHost,
  type HostSettings,
} from "./host-client.js";
import { hostPaths, reattachValue, type RunMessage } from "../control-protocol.js";
import { knownWithoutDebugMode } from "../../machine/debug-mode-memory.js";
import { hostKey, hostStem } from "./host-key.js";
import { ensurePrivateDir, runtimeDir } from "../../machine/runtime-dir.js";

export { acquireEngineSlot, engineSlotCount, type EngineSlotOptions } from "../../machine/engine-slots.js";

/** Which host: everything its key covers, and the settings it is started with. */
export interface HostRequest {
  providerAddress: string; // "registry.terraform.io/hashicorp/aws"
  providerVersion: string; // "5.100.0"
  binaryPath: string; // absolute path of terraform-provider-aws_v5.100.0_x5
  env: NodeJS.ProcessEnv; // the environment the provider must run with (the bridge's own env)
  configKey: string; // sha256 hex of the canonical provider configuration block (the bridge computes it)
  log: (line: string) => void; // progress/debug lines for stderr (never secrets)
  /** The bridge's settings (BridgeOptions.providerHost); read from `env` when not given (tests, benchmarks). */
  settings?: ProviderHostSettings;
  /** BridgeOptions.cacheDir: a host it starts keeps the provider's schema there (none: fetched by every host). */
  cacheDir?: string;
}

export interface ProviderLeaseRequest extends HostRequest {
  resourceTypes: string[]; // managed resource types the workspace uses, e.g. ["aws_iam_user"]
  dataSourceTypes: string[]; // data source types the workspace uses
}

export interface ProviderLease {
  /** Extra env for the engine command(s): at least TF_REATTACH_PROVIDERS. */
  engineEnv: Record<string, string>;
  /** Call once the operation's engine commands are done (success or failure). */
  release(): Promise<void>;
  /** Hands the operation to the host, which batches it with concurrent ones into one engine run; resolves with
   * its outcome. Progress lines (raw engine wording) arrive through onProgress. An abort of `signal` (default:
   * this process's first SIGINT, SIGTERM or SIGHUP) is handed on to the host. */
  run(message: RunMessage, onProgress: (line: string) => void, signal?: AbortSignal): Promise<JobOutcome>;
  /** Which processes serve this lease (for diagnostics and tests). */
  host: { key: string; hostPid: number; providerPid: number; protocolVersion: number };
}

// sun_path is 108 bytes on Linux, including the terminating NUL.
const MAX_SOCKET_PATH = 107;

/** The host code that would serve: where it is and which build (never its mtime: 1 for every file in the Nix store). */
function hostBuild(): string {
  return `${hostEntryPath()}:${buildId()}`;
}

/** The key's host settings, or null (said through `req.log`) when sharing is impossible: the provider has no debug
 * mode, the host is turned off (NIXOPS4_OPENTOFU_PROVIDER_HOST=off), the binary or the host dir will not do. */
async function hostSettingsFor(req: HostRequest): Promise<HostSettings | null> {
  const env = req.env;
  const settings = req.settings ?? providerHostSettings(env);
  if (!settings.enabled) return null;
  const prune = settings.prune;
  if (!isAbsolute(req.binaryPath)) {
    req.log(`provider binary path "${req.binaryPath}" is not absolute; the engine starts the provider itself`);
    return null;
  }
  try {
    accessSync(req.binaryPath, constants.X_OK);
  } catch {
    req.log(`provider binary ${req.binaryPath} is not an executable file; the engine starts the provider itself`);
    return null;
  }
  const dir = await ensurePrivateDir(runtimeDir(env));
  const remembered = await knownWithoutDebugMode(dir, req.binaryPath);
  if (remembered) {
    req.log(`provider ${req.providerAddress} is started by the engine itself (no shared host: ${remembered})`);
    return null;
  }
  const key = hostKey({ ...req, fullSchemas: !prune, hostBuild: hostBuild() });
  const paths = hostPaths(dir, hostStem(key));
  if (Buffer.byteLength(paths.proxySocket(4_194_304)) > MAX_SOCKET_PATH) {
    req.log(`provider host dir ${dir} is too long for unix socket paths; the engine starts the provider itself`);
    return null;
  }
  return {
    dir,
    paths,
    key,
    binaryPath: req.binaryPath,
    providerAddress: req.providerAddress,
    providerVersion: req.providerVersion,
    idleMs: settings.idleMs,
    maxUses: settings.maxUses,
    startTimeoutMs: settings.startTimeoutMs,
    prune,
    // The host runs in its own directory: a relative cache dir would be another one there.
    cacheDir: req.cacheDir === undefined ? undefined : resolve(req.cacheDir),
    env,
    log: req.log,
  };
}

/** Returns null when sharing is impossible (provider has no debug mode, protocol unsupported, host disabled by
 * NIXOPS4_OPENTOFU_PROVIDER_HOST=off): the caller then falls back to the engine's normal provider start. */
export async function acquireProviderLease(req: ProviderLeaseRequest): Promise<ProviderLease | null> {
  try {
    const settings = await hostSettingsFor(req);
    if (!settings) return null;
    const { key } = settings;
    const outcome = await leaseFromHost(settings, req.resourceTypes, req.dataSourceTypes);
    if (outcome.kind === "unsupported") {
      req.log(`provider ${req.providerAddress} cannot be shared (${outcome.reason}); the engine starts it itself`);
      return null;
    }
    const { grant, socket } = outcome;
    let released = false;
    return {
      engineEnv: { TF_REATTACH_PROVIDERS: reattachValue(req.providerAddress, grant) },
      host: { key, hostPid: grant.hostPid, providerPid: grant.providerPid, protocolVersion: grant.protocolVersion },
      run: (message, onProgress, signal = interruption) => runOnHost(socket, message, onProgress, signal),
      async release() {
        if (released) return;
        released = true;
        await closeLease(socket);
      },
    };
  } catch (error) {
    req.log(`provider host unavailable (${(error as Error).message}); the engine starts the provider itself`);
    return null;
  }
}

/** The keys of the hosts this process is having started (startProviderHost): one start at a time is enough. */
const starting = new Set<string>();

/** Has the host the operation will lease from start now, without a lease, while the operation still validates
 * its inputs: when a burst's requests reach the operation server together, it validates all of them before the
 * first asks for its host (at 100 at once the host started 0.3-0.5 s later than with this). Nothing is said or
 * done when sharing is impossible (acquireProviderLease says it later) or the key's host already answers. A
 * request whose inputs then fail validation leaves the host to idle out. Never throws. */
export async function startProviderHost(req: HostRequest): Promise<void> {
  try {
    const settings = await hostSettingsFor({ ...req, log: () => undefined });
    if (!settings || starting.has(settings.key)) return;
    starting.add(settings.key);
    try {
      await startHost({ ...settings, log: req.log });
    } finally {
      starting.delete(settings.key);
    }
  } catch {
    // The lease that follows tries again, and says why it could not.
  }
}

/** What a host needs besides the job to run it as this bridge would. */
export interface HostJobContext {
  engine: string;
  pluginDir?: string;
  provider: ProviderRef;
  providerConfig: Record<string, unknown>;
  providerCredentials?: (string | number)[][];
}

/** The JobRunner on the host: the job goes to the lease's host, which batches it with other bridges' jobs. */
export function hostRunner(lease: ProviderLease, context: HostJobContext): JobRunner {
  return {
    async run(job, how) {
      try {
        return await lease.run(
          {
            type: "run",
            engine: context.engine,
            pluginDir: context.pluginDir,
            provider: `${context.provider.address}@${context.provider.version}`,
            providerConfig: context.providerConfig,
            providerCredentials: context.providerCredentials,
            job,
            pending: how.keepFor ?? { lineage: "", operation: "" },
          },
          how.progress,
          how.signal,
        );
      } catch (error) {
        if (!(error instanceof HostRunError)) throw error;
        // The host went away mid-operation, or withdrew it after an interrupt: what the engine did is unknown
        // here, so it is a failed apply (a create is remembered, and its retry looks for the object first).
        return {
          kind: "failed",
          stage: "apply",
          details: error.message,
          providerLost: false,
          state: undefined,
          unknown: true,
        };
      }
    },
    release: () => lease.release(),
    hostPid: lease.host.hostPid,
  };
}
