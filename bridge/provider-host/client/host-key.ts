// Which provider host a lease may use. A host's provider process holds one configured client built from the
// provider configuration AND from the environment it was started with (credentials, endpoints, CA bundle), so
// the key covers all of it; only variables that change between otherwise identical invocations are left out.
import { createHash } from "node:crypto";

const VOLATILE = new Set(["PWD", "OLDPWD", "SHLVL", "_"]);
// The bridge's and the host's own settings (engine slots, cache and state dirs, host tuning…): the provider never
// reads them, and keying on them would start a second ~700 MB provider for the same configuration.
const BRIDGE_SETTINGS_PREFIX = "NIXOPS4_OPENTOFU_";

export interface HostIdentity {
  providerAddress: string;
  providerVersion: string;
  binaryPath: string;
  configKey: string;
  env: NodeJS.ProcessEnv;
  /** A host serving unpruned schemas (only for measuring) is a different host. */
  fullSchemas?: boolean;
  /** Which build of the host code would serve (its entry file's path and build id): an upgraded or rebuilt
   * bridge starts its own host instead of handing work to one still running older code. */
  hostBuild?: string;
}

export function keyedEnv(env: NodeJS.ProcessEnv): [string, string][] {
  return Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .filter(([name]) => !VOLATILE.has(name) && !name.startsWith(BRIDGE_SETTINGS_PREFIX))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Bumped whenever bridge and host stop understanding each other (2: hosts run batched operations; 3: bridges
 * hand on interrupts), so that a
 * bridge never leases from a host of another release that may still be running. */
export const CONTROL_PROTOCOL_VERSION = 3;

/** sha256 hex over everything that decides the provider process's behaviour. */
export function hostKey(identity: HostIdentity): string {
  const canonical = JSON.stringify({
    controlProtocol: CONTROL_PROTOCOL_VERSION,
    binaryPath: identity.binaryPath,
    providerAddress: identity.providerAddress,
    providerVersion: identity.providerVersion,
    configKey: identity.configKey,
    env: keyedEnv(identity.env),
    fullSchemas: identity.fullSchemas === true,
    hostBuild: identity.hostBuild ?? "",
  });
  return createHash("sha256").update(canonical).digest("hex");
}

export { hostStem } from "../control-protocol.js";
