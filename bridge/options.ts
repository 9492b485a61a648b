// How the bridge is configured: flags, or environment variables because the NixOps4 test runner passes no
// arguments. A configuration problem is not fatal at start-up: every request is answered with the error instead,
// so NixOps4 shows the user what to fix. Two NIXOPS4_OPENTOFU_ variables are not settings read here: the
// launcher's NIXOPS4_OPENTOFU_NODE (which Node runs the bridge) and the CA bundle it moves aside, put back by
// launcher-environment.ts before this module reads anything.
import { join } from "node:path";
import { homeDir } from "./machine/runtime-dir.js";
import { parseArgs } from "node:util";
import { parseProviderRef, type ProviderRef } from "../opentofu/provider/provider-address.js";

export interface BridgeOptions {
  provider: ProviderRef;
  /** Explicit engine binary; undefined means `tofu` on PATH, else `terraform`. */
  engine?: string;
  /** Filesystem mirror holding provider binaries (nixpkgs terraform-providers layout). */
  pluginDir?: string;
  /** The user's cache (schemas, plugin cache). */
  cacheDir: string;
  /** The user's durable state (states kept after failed or interrupted operations). */
  stateDir: string;
  /** "keep": sensitive attribute values are returned in outputProperties (NixOps4 persists and prints them);
   * "omit": they are returned as null and read back from the API by the next operation's refresh. */
  sensitiveOutputs: "keep" | "omit";
  /** How long one operation's engine commands may run before the engine is interrupted. */
  operationTimeoutSeconds: number;
  /** The shared provider host (provider-host/client): read here once, with the rest. */
  providerHost: ProviderHostSettings;
  /** Machine-wide concurrent engine runs (machine/engine-slots.ts); undefined: the number of cores. */
  engineSlots?: number;
  /** How long an operation waits for another one on the same resource before it is refused. */
  waitMs: number;
}

/** NIXOPS4_OPENTOFU_WAIT_SECONDS, default 300. */
export function waitBoundMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.NIXOPS4_OPENTOFU_WAIT_SECONDS);
  return env.NIXOPS4_OPENTOFU_WAIT_SECONDS && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 300_000;
}

/** NIXOPS4_OPENTOFU_DEBUG: stack traces of errors on stderr. Read apart from readOptions, which may fail: the
 * protocol loop needs it to report that very failure. */
export function debugStacks(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.NIXOPS4_OPENTOFU_DEBUG);
}

/** Settings of the provider host, from the environment (they are not part of the host key):
 *   NIXOPS4_OPENTOFU_PROVIDER_HOST=off             never share; the engine starts providers itself
 *   NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR             runtime dir (default $XDG_RUNTIME_DIR/nixops4-resources-opentofu,
 *                                                  else ~/.cache/nixops4-resources-opentofu/hosts)
 *   NIXOPS4_OPENTOFU_PROVIDER_HOST_IDLE_SECONDS    a host without leases exits after this long (default 60)
 *   NIXOPS4_OPENTOFU_PROVIDER_HOST_MAX_USES        a host retires after this many leases, once idle (default 200)
 *   NIXOPS4_OPENTOFU_PROVIDER_HOST_START_SECONDS   how long a provider may take to print its reattach line (60)
 *   NIXOPS4_OPENTOFU_PROVIDER_HOST_PRUNE=off       serve full schemas (for measuring; a separate host)
 *   NIXOPS4_OPENTOFU_ENGINE_SLOTS                  machine-wide concurrent engine runs */
export interface ProviderHostSettings {
  enabled: boolean;
  idleMs: number;
  maxUses: number;
  startTimeoutMs: number;
  prune: boolean;
}

function seconds(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

export function providerHostSettings(env: NodeJS.ProcessEnv): ProviderHostSettings {
  return {
    enabled: (env.NIXOPS4_OPENTOFU_PROVIDER_HOST ?? "").toLowerCase() !== "off",
    idleMs: seconds(env.NIXOPS4_OPENTOFU_PROVIDER_HOST_IDLE_SECONDS, 60) * 1000,
    maxUses: Math.max(1, Math.floor(seconds(env.NIXOPS4_OPENTOFU_PROVIDER_HOST_MAX_USES, 200))),
    startTimeoutMs: seconds(env.NIXOPS4_OPENTOFU_PROVIDER_HOST_START_SECONDS, 60) * 1000,
    prune: (env.NIXOPS4_OPENTOFU_PROVIDER_HOST_PRUNE ?? "").toLowerCase() !== "off",
  };
}

/** The operation server (operation-server/), from the environment:
 *   NIXOPS4_OPENTOFU_OPERATION_SERVER=off   every bridge serves its session itself (also with the provider host off)
 *   NIXOPS4_OPENTOFU_OPERATION_SERVER_WAIT_SECONDS  how long a bridge waits for a server to take its session before
 *                                                   serving it itself (default 60) */
export interface OperationServerSettings {
  enabled: boolean;
  waitMs: number;
}

export function operationServerSettings(env: NodeJS.ProcessEnv): OperationServerSettings {
  return {
    enabled: (env.NIXOPS4_OPENTOFU_OPERATION_SERVER ?? "").toLowerCase() !== "off" && providerHostSettings(env).enabled,
    waitMs: seconds(env.NIXOPS4_OPENTOFU_OPERATION_SERVER_WAIT_SECONDS, 60) * 1000,
  };
}

export function engineSlotsSetting(env: NodeJS.ProcessEnv): number | undefined {
  const configured = Number.parseInt(env.NIXOPS4_OPENTOFU_ENGINE_SLOTS ?? "", 10);
  return Number.isFinite(configured) && configured > 0 ? configured : undefined;
}

export class OptionsError extends Error {}

export const USAGE = `usage: nixops4-resources-opentofu --provider SOURCE@VERSION [--engine PATH] [--plugin-dir DIR]
  --provider SOURCE@VERSION  Terraform provider served, e.g. hashicorp/aws@5.100.0   (NIXOPS4_OPENTOFU_PROVIDER)
  --engine PATH              tofu or terraform binary (default: tofu on PATH, else terraform) (NIXOPS4_OPENTOFU_ENGINE)
  --plugin-dir DIR           provider binaries as a filesystem mirror            (NIXOPS4_OPENTOFU_PLUGIN_DIR)
  --sensitive-outputs MODE   keep (default) or omit sensitive attribute values from outputs (NIXOPS4_OPENTOFU_SENSITIVE_OUTPUTS)
  --operation-timeout SECS   interrupt the engine after this long (default 1800) (NIXOPS4_OPENTOFU_OPERATION_TIMEOUT)
Speaks the NixOps4 resource protocol (JSON lines) on stdin/stdout; logs go to stderr.`;

export function readOptions(argv: string[], env: NodeJS.ProcessEnv): BridgeOptions {
  let values: {
    provider?: string;
    engine?: string;
    "plugin-dir"?: string;
    "sensitive-outputs"?: string;
    "operation-timeout"?: string;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        provider: { type: "string" },
        engine: { type: "string" },
        "plugin-dir": { type: "string" },
        "sensitive-outputs": { type: "string" },
        "operation-timeout": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new OptionsError(`${(error as Error).message}\n${USAGE}`);
  }
  const providerSpec = values.provider ?? env.NIXOPS4_OPENTOFU_PROVIDER;
  if (!providerSpec) {
    throw new OptionsError(
      "no Terraform provider configured: pass --provider SOURCE@VERSION (e.g. hashicorp/aws@5.100.0) " +
        "or set NIXOPS4_OPENTOFU_PROVIDER",
    );
  }
  const sensitiveOutputs = values["sensitive-outputs"] ?? (env.NIXOPS4_OPENTOFU_SENSITIVE_OUTPUTS || "keep");
  if (sensitiveOutputs !== "keep" && sensitiveOutputs !== "omit") {
    throw new OptionsError(`--sensitive-outputs must be "keep" or "omit", got "${sensitiveOutputs}"`);
  }
  const timeout = values["operation-timeout"] ?? (env.NIXOPS4_OPENTOFU_OPERATION_TIMEOUT || "1800");
  const operationTimeoutSeconds = Number(timeout);
  if (!/^\d+(\.\d+)?$/.test(timeout) || !(operationTimeoutSeconds > 0)) {
    throw new OptionsError(`--operation-timeout must be a positive number of seconds, got "${timeout}"`);
  }
  return {
    sensitiveOutputs,
    operationTimeoutSeconds,
    provider: parseProviderRef(providerSpec),
    engine: values.engine ?? (env.NIXOPS4_OPENTOFU_ENGINE || undefined),
    pluginDir: values["plugin-dir"] ?? (env.NIXOPS4_OPENTOFU_PLUGIN_DIR || undefined),
    cacheDir:
      env.NIXOPS4_OPENTOFU_CACHE_DIR ||
      join(env.XDG_CACHE_HOME || join(homeDir(env), ".cache"), "nixops4-resources-opentofu"),
    stateDir: stateDirFrom(env),
    providerHost: providerHostSettings(env),
    engineSlots: engineSlotsSetting(env),
    waitMs: waitBoundMs(env),
  };
}

export function stateDirFrom(env: NodeJS.ProcessEnv): string {
  const home = homeDir(env);
  return (
    env.NIXOPS4_OPENTOFU_STATE_DIR ||
    join(env.XDG_STATE_HOME || join(home, ".local", "state"), "nixops4-resources-opentofu")
  );
}

/** The deadline of an operation starting now. The engine's interrupt is followed by a kill after a tenth of the
 * timeout (5 s to 60 s): long enough for a provider to end its calls and the engine to write its state. */
export function operationDeadline(options: Pick<BridgeOptions, "operationTimeoutSeconds">) {
  const ms = options.operationTimeoutSeconds * 1000;
  return {
    at: Date.now() + ms,
    graceMs: Math.min(60_000, Math.max(5_000, ms / 10)),
    setting: `${options.operationTimeoutSeconds} s, --operation-timeout or NIXOPS4_OPENTOFU_OPERATION_TIMEOUT`,
  };
}
