// What a host process is started with: the bridge encodes it as host-main's arguments (no secrets: the
// provider's environment travels as the host's own environment, never on the command line).
import { parseArgs } from "node:util";

export interface HostLaunch {
  key: string;
  dir: string;
  binaryPath: string;
  providerAddress: string;
  providerVersion: string;
  idleMs: number;
  maxUses: number;
  startTimeoutMs: number;
  prune: boolean;
  /** The environment the provider runs with (the host's own). */
  env: NodeJS.ProcessEnv;
}

export function hostArguments(launch: HostLaunch): string[] {
  return [
    "--key", launch.key,
    "--dir", launch.dir,
    "--binary", launch.binaryPath,
    "--address", launch.providerAddress,
    "--version", launch.providerVersion,
    "--idle-ms", String(launch.idleMs),
    "--max-uses", String(launch.maxUses),
    "--start-timeout-ms", String(launch.startTimeoutMs),
    "--prune", launch.prune ? "on" : "off",
  ];
}

export function parseHostArguments(args: string[], env: NodeJS.ProcessEnv): HostLaunch {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(
      ["key", "dir", "binary", "address", "version", "idle-ms", "max-uses", "start-timeout-ms", "prune"].map((name) => [
        name,
        { type: "string" as const },
      ]),
    ),
  });
  const required = (name: string): string => {
    const value = values[name];
    if (typeof value !== "string" || value === "") throw new Error(`--${name} is required`);
    return value;
  };
  const number = (name: string): number => {
    const value = Number(required(name));
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
    return value;
  };
  return {
    key: required("key"),
    dir: required("dir"),
    binaryPath: required("binary"),
    providerAddress: required("address"),
    providerVersion: required("version"),
    idleMs: number("idle-ms"),
    maxUses: number("max-uses"),
    startTimeoutMs: number("start-timeout-ms"),
    prune: values.prune !== "off",
    env,
  };
}
