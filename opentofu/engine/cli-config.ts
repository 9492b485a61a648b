// The engine's CLI configuration file for a workspace. The user's own TF_CLI_CONFIG_FILE may name a file that
// does not exist or may point provider installation at the network, so the bridge always writes its own:
// with a plugin dir, providers come only from that filesystem mirror; without one, the engine's defaults apply.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

function hclString(value: string): string {
  return JSON.stringify(value);
}

export function cliConfigText(options: { pluginDir?: string; pluginCacheDir?: string }): string {
  const lines: string[] = [];
  if (options.pluginDir) {
    lines.push(
      "provider_installation {",
      "  filesystem_mirror {",
      `    path = ${hclString(options.pluginDir)}`,
      "  }",
      "}",
    );
  }
  if (options.pluginCacheDir) lines.push(`plugin_cache_dir = ${hclString(options.pluginCacheDir)}`);
  return lines.join("\n") + "\n";
}

/** Writes `<dir>/cli.tfrc` and returns its path, for TF_CLI_CONFIG_FILE. */
export async function writeCliConfig(
  dir: string,
  options: { pluginDir?: string; pluginCacheDir?: string },
): Promise<string> {
  const path = join(dir, "cli.tfrc");
  await writeFile(path, cliConfigText(options), { mode: 0o600 });
  return path;
}
