// Evaluates the Nix files under test/nix that need real Nix builds (the stand-in package set, import from
// derivation): without the sandbox, because the stand-in builders run this machine's node, engine and provider
// mirror from outside the store, and without substituters, because there is no network. Root (as in CI) may
// set both options; a non-trusted user of a Nix daemon could not. Builds also run as the invoking user rather than
// a nixbld user, which could not read a checkout in a private (0700) directory such as `mktemp -d` makes.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../testkit/repo-root.js";
import { engineBinary, pluginMirrorDir } from "../../testkit/machine.js";
import type { NixEvalResult } from "../../testkit/nix.js";

export const TEST_NIX_DIR = join(repoRoot, "test", "nix");

/** Changes whenever dist/ changes, so that the stand-in bridge derivation (and the codegen run on it) is rebuilt. */
function distStamp(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(repoRoot, "dist"));
  return hash.digest("hex").slice(0, 32);
}

async function absoluteEngine(): Promise<string> {
  const engine = engineBinary();
  if (engine.startsWith("/")) return engine;
  return (await execa("sh", ["-c", 'command -v "$1"', "sh", engine])).stdout.trim();
}

const nixString = (s: string) => JSON.stringify(s).replace(/\$\{/g, "\\${");

/** The `standIn` argument of stand-in-pkgs.nix for this machine. */
export async function standInArgs(): Promise<string> {
  const fields = {
    node: process.execPath,
    repoRoot,
    buildStamp: distStamp(),
    engine: await absoluteEngine(),
    pluginMirror: pluginMirrorDir(),
  };
  return `{ ${Object.entries(fields)
    .map(([k, v]) => `${k} = ${nixString(v)};`)
    .join(" ")} }`;
}

/** `nix-instantiate --eval --strict --json` allowed to build; never throws on an evaluation error. */
export async function nixEvalBuilding(file: string, args: Record<string, string>): Promise<NixEvalResult> {
  const argv = [
    "--read-write-mode",
    ...["--option", "sandbox", "false"],
    ...["--option", "substituters", ""],
    ...["--option", "build-users-group", ""],
    ...["--eval", "--strict", "--json", file],
  ];
  for (const [name, value] of Object.entries(args)) argv.push("--arg", name, value);
  const result = await execa("nix-instantiate", argv, { reject: false, stdin: "ignore" });
  return result.exitCode === 0
    ? { ok: true, value: JSON.parse(result.stdout), error: "" }
    : { ok: false, error: result.stderr };
}

export { nixString };
