// The fallback when no shared provider can be had: the engine's own `init` in the workspace, from a plugin cache
// shared by all workspaces. Loaded only on that path.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeCliConfig } from "../../opentofu/engine/cli-config.js";
import { formatDiagnostics } from "../engine/diagnostics.js";
import type { ProviderRef } from "../../opentofu/provider/provider-address.js";
import { runEngine, type EngineOutcome } from "../../opentofu/engine/run-engine.js";
import type { Attachment } from "../jobs/attachment.js";
import { waitForLock } from "../machine/lock-file.js";

export class ProviderInitError extends Error {}

/** The fallback: `init` with a plugin cache shared by all workspaces; inits are serialised because the engine's
 * plugin cache is not safe under concurrent writers ("text file busy"). */
export async function initWorkspace(options: {
  engine: string;
  workspace: string;
  provider: ProviderRef;
  pluginDir?: string;
  cacheDir: string;
  baseEnv: Record<string, string | undefined>;
  label: string;
  log?: (line: string) => void;
}): Promise<Attachment> {
  const pluginCacheDir = join(options.cacheDir, "plugin-cache");
  await mkdir(pluginCacheDir, { recursive: true, mode: 0o700 });
  const cliConfig = await writeCliConfig(options.workspace, { pluginDir: options.pluginDir, pluginCacheDir });
  const engineEnv = { TF_CLI_CONFIG_FILE: cliConfig };
  // A live init holds it for seconds; ten minutes without a turn means something is stuck, and saying so beats
  // waiting for ever.
  const lock = await waitForLock(`${pluginCacheDir}.init.lock`, {
    waitMs: 600_000,
    what: `the plugin cache ${pluginCacheDir}`,
    onWait: (owner) => options.log?.(`${options.label}: waiting for process ${owner?.pid ?? "?"} to install providers`),
  });
  let outcome: EngineOutcome;
  try {
    outcome = await runEngine(
      {
        engine: options.engine,
        args: ["init", "-input=false", "-no-color", "-backend=false"],
        cwd: options.workspace,
        env: { ...options.baseEnv, ...engineEnv },
      },
      () => undefined,
    );
  } finally {
    await lock.release();
  }
  if (outcome.exitCode !== 0) {
    const where = options.pluginDir ? ` from the plugin dir ${options.pluginDir}` : "";
    throw new ProviderInitError(
      `${options.label}: the engine could not install provider ${options.provider.source} ${options.provider.version}${where}:\n` +
        (formatDiagnostics(outcome.diagnostics, []) || outcome.stderrTail.trim()),
    );
  }
  return { engineEnv, release: async () => undefined };
}
