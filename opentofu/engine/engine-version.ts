// Which engine and version a binary is, read once per binary and process: what a workspace may use depends on it
// (ephemeral input variables, which keep provider credentials out of the workspace's files, came with Terraform
// 1.10 and OpenTofu 1.11). `version -json` does not say which engine it is (OpenTofu keeps the key
// `terraform_version`), so the first line of the plain `version` output is read instead ("Terraform v1.11.4",
// "OpenTofu v1.11.0").
import { engineEnvironment, runEngineForDocument } from "./run-engine.js";

export interface EngineVersion {
  name: "terraform" | "opentofu";
  major: number;
  minor: number;
  patch: number;
  /** As the engine printed it, e.g. "Terraform v1.11.4". */
  text: string;
}

/** The engine and version named by the first line of `version`, or undefined for an engine this does not know. */
export function parseEngineVersion(output: string): EngineVersion | undefined {
  const line = output.split("\n", 1)[0]!.trim();
  const match = /^(Terraform|OpenTofu) v(\d+)\.(\d+)\.(\d+)/.exec(line);
  if (!match) return undefined;
  return {
    name: match[1] === "OpenTofu" ? "opentofu" : "terraform",
    major: Number(match[2]),
    minor: Number(match[3]),
    patch: Number(match[4]),
    text: line,
  };
}

const EPHEMERAL_VARIABLES_SINCE = { terraform: [1, 10], opentofu: [1, 11] } as const;

/** Input variables declared `ephemeral`: usable in provider blocks, never written to plan files or state. */
export function supportsEphemeralVariables(version: EngineVersion | undefined): boolean {
  if (!version) return false;
  const [major, minor] = EPHEMERAL_VARIABLES_SINCE[version.name];
  return version.major > major || (version.major === major && version.minor >= minor);
}

const known = new Map<string, Promise<EngineVersion | undefined>>();

/** The engine's version (undefined if it printed something this does not know or could not run); asked once per
 * binary in a process, so that a long-lived provider host asks once. */
export function readEngineVersion(engine: string, baseEnv: NodeJS.ProcessEnv): Promise<EngineVersion | undefined> {
  let version = known.get(engine);
  if (!version) {
    version = runEngineForDocument({
      engine,
      args: ["version"],
      cwd: "/",
      env: engineEnvironment(baseEnv, {}),
    }).then(
      (result) => (result.exitCode === 0 ? parseEngineVersion(result.stdout) : undefined),
      () => undefined,
    );
    known.set(engine, version);
  }
  return version;
}
