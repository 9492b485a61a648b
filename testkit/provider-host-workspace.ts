// A one-resource AWS workspace driven by the real engine, shared by the provider host's tests and benchmark:
// the bridge's own engine runner is not needed to prove what the host does for an engine.
import { execa } from "execa";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeCliConfig } from "../opentofu/engine/cli-config.js";
import { locateProviderBinary } from "../bridge/engine/provider-binary.js";
import { parseProviderRef } from "../opentofu/provider/provider-address.js";
import type { ProviderLeaseRequest } from "../bridge/provider-host/client/index.js";
import { AWS_PROVIDER, engineBinary, pluginMirrorDir } from "./machine.js";
import { awsProviderConfig } from "./moto.js";

export const AWS = parseProviderRef(AWS_PROVIDER);

export function awsProviderBinary(): string {
  const binary = locateProviderBinary([pluginMirrorDir()], AWS);
  if (!binary) throw new Error(`no ${AWS_PROVIDER} binary in ${pluginMirrorDir()}`);
  return binary;
}

export function iamUserConfig(userName: string, tags: Record<string, string>): unknown {
  return {
    terraform: { required_providers: { aws: { source: AWS.source, version: AWS.version } } },
    provider: { aws: awsProviderConfig() },
    resource: { aws_iam_user: { this: { name: userName, tags } } },
  };
}

/** Writes the CLI config (filesystem mirror only) and returns the variables every engine command needs. */
export async function prepareWorkspace(dir: string): Promise<Record<string, string>> {
  const cliConfig = await writeCliConfig(dir, { pluginDir: pluginMirrorDir() });
  return { TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
}

export async function writeMainTf(dir: string, config: unknown): Promise<void> {
  await writeFile(join(dir, "main.tf.json"), JSON.stringify(config, null, 2), { mode: 0o600 });
}

export interface EngineRun {
  exitCode: number;
  ms: number;
  output: string;
}

export async function runTerraform(
  dir: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<EngineRun> {
  const started = performance.now();
  const result = await execa(engineBinary(), args, { cwd: dir, env, extendEnv: false, reject: false, all: true });
  return { exitCode: result.exitCode ?? -1, ms: performance.now() - started, output: result.all ?? "" };
}

export async function mustRun(
  dir: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<EngineRun> {
  const run = await runTerraform(dir, args, env);
  if (run.exitCode !== 0)
    throw new Error(`terraform ${args.join(" ")} failed (${run.exitCode}):\n${run.output.slice(-4000)}`);
  return run;
}

/** `plan -out` then `apply` of that plan, as the bridge runs an operation. */
export async function planAndApply(dir: string, env: Record<string, string | undefined>): Promise<number> {
  const plan = await mustRun(dir, ["plan", "-input=false", "-json", "-out=tfplan"], env);
  const apply = await mustRun(dir, ["apply", "-input=false", "-json", "tfplan"], env);
  return plan.ms + apply.ms;
}

/** A destroy of the whole workspace: `plan -destroy -out` then `apply`. The bridge instead leaves the resource out
 * of the configuration while its state stays and plans that; for a one-resource workspace both plan the same deletion. */
export async function planAndDestroy(dir: string, env: Record<string, string | undefined>): Promise<number> {
  const plan = await mustRun(dir, ["plan", "-destroy", "-input=false", "-json", "-out=tfplan"], env);
  const apply = await mustRun(dir, ["apply", "-input=false", "-json", "tfplan"], env);
  return plan.ms + apply.ms;
}

export function awsLeaseRequest(
  env: NodeJS.ProcessEnv,
  overrides: Partial<ProviderLeaseRequest> = {},
): ProviderLeaseRequest {
  return {
    providerAddress: AWS.address,
    providerVersion: AWS.version,
    binaryPath: awsProviderBinary(),
    env,
    configKey: "0".repeat(64),
    resourceTypes: ["aws_iam_user"],
    dataSourceTypes: [],
    log: () => undefined,
    ...overrides,
  };
}
