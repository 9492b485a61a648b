// Runs the built `nixops4-opentofu` executable (dist/cli/main.js; `npm run build` first).
import { execa } from "execa";
import { join } from "node:path";
import { repoRoot } from "./repo-root.js";

export const CLI_MAIN = join(repoRoot, "dist", "cli", "main.js");

export function runCli(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [CLI_MAIN, ...args], { reject: false, env, stdin: "ignore" });
}
