// The environment a test or benchmark gives the bridge to serve the real AWS provider against moto.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./bridge-process.js";
import { AWS_PROVIDER, engineBinary, pluginMirrorDir } from "./machine.js";
import { awsProviderConfig, type MotoServer } from "./moto.js";

export interface AwsBridgeEnv {
  env: Record<string, string | undefined>;
  stateDir: string;
  provider: Record<string, unknown>;
  /** Removes the private state dir. */
  cleanup(): void;
}

/** Schema cache shared by all tests (the dump is made once); state dir private to the caller. */
export function awsBridgeEnv(moto: MotoServer, extra: Record<string, string> = {}): AwsBridgeEnv {
  const stateDir = mkdtempSync(join(tmpdir(), "nixops4-opentofu-test-state-"));
  return {
    stateDir,
    cleanup: () => rmSync(stateDir, { recursive: true, force: true }),
    provider: awsProviderConfig(),
    env: {
      ...process.env,
      ...moto.env,
      NIXOPS4_OPENTOFU_PROVIDER: AWS_PROVIDER,
      NIXOPS4_OPENTOFU_ENGINE: engineBinary(),
      NIXOPS4_OPENTOFU_PLUGIN_DIR: pluginMirrorDir(),
      NIXOPS4_OPENTOFU_CACHE_DIR: join(repoRoot, ".cache", "bridge"),
      NIXOPS4_OPENTOFU_STATE_DIR: stateDir,
      ...extra,
    },
  };
}
