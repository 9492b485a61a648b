// The baseline a person gets by hand: a workspace with a normal CLI configuration (filesystem mirror), `init` run
// once beforehand, then `terraform apply -auto-approve` / `destroy -auto-approve`, the engine starting the provider
// itself each time. Same provider configuration, same moto and same engine binary as the bridge; unlike the bridge
// it runs without the benchmark's timing wrapper, so the wrapper's few milliseconds count against the bridge.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { awsProviderConfig } from "../testkit/moto.js";
import { AWS, mustRun, prepareWorkspace, writeMainTf } from "../testkit/provider-host-workspace.js";
import type { ResourceSpec } from "./bridge-ops.js";

export function workspaceConfig(resources: ResourceSpec[]): unknown {
  const blocks: Record<string, Record<string, unknown>> = {};
  resources.forEach((resource, i) => {
    (blocks[resource.type] ??= {})[`r${i}`] = resource.inputs;
  });
  return {
    terraform: { required_providers: { aws: { source: AWS.source, version: AWS.version } } },
    provider: { aws: awsProviderConfig() },
    resource: blocks,
  };
}

export class HandWorkspace {
  private constructor(
    readonly dir: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Creates the workspace and runs `init` (not timed). */
  static async prepare(
    dir: string,
    baseEnv: Record<string, string | undefined>,
    resources: ResourceSpec[],
  ): Promise<HandWorkspace> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const workspace = new HandWorkspace(dir, { ...baseEnv, ...(await prepareWorkspace(dir)) });
    await workspace.write(resources);
    await workspace.run(["init", "-input=false"]);
    return workspace;
  }

  write(resources: ResourceSpec[]): Promise<void> {
    return writeMainTf(this.dir, workspaceConfig(resources));
  }

  async run(args: string[]): Promise<number> {
    return (await mustRun(this.dir, args, this.env)).ms;
  }

  /** `apply -auto-approve` of these resources; the wall time in ms. */
  async apply(resources: ResourceSpec[]): Promise<number> {
    await this.write(resources);
    return this.run(["apply", "-auto-approve", "-input=false"]);
  }

  destroy(): Promise<number> {
    return this.run(["destroy", "-auto-approve", "-input=false"]);
  }

  /** Forgets the state (after the objects were removed from moto by a reset), outside any timing. */
  async forgetState(): Promise<void> {
    await rm(join(this.dir, "terraform.tfstate"), { force: true });
    await rm(join(this.dir, "terraform.tfstate.backup"), { force: true });
  }
}
