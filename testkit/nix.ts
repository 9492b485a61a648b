// Runs the Debian Nix 2.8 (`nix-bin`) the tests rely on; installing it is the CI script's job, not the tests'.
import { execa } from "execa";
import { basename, join, dirname } from "node:path";
import { repoRoot } from "./repo-root.js";

export const MINI_LIB_DIR = join(repoRoot, "test", "nix");

/** Parses many files with one process (one process per file costs ~26 ms each); throws with Nix's message. */
export async function nixParse(files: string[], batchSize = 500): Promise<void> {
  for (let i = 0; i < files.length; i += batchSize) {
    await execa("nix-instantiate", ["--parse", ...files.slice(i, i + batchSize)], { stdout: "ignore" });
  }
}

export interface NixEvalResult {
  ok: boolean;
  value?: unknown;
  error: string;
}

/** `nix-instantiate --eval --strict --json FILE --arg name value …`; never throws on an evaluation error. */
export async function nixEval(file: string, args: Record<string, string>): Promise<NixEvalResult> {
  const argv = ["--eval", "--strict", "--json", file];
  for (const [name, value] of Object.entries(args)) argv.push("--arg", name, value);
  const result = await execa("nix-instantiate", argv, { reject: false });
  return result.exitCode === 0
    ? { ok: true, value: JSON.parse(result.stdout), error: "" }
    : { ok: false, error: result.stderr };
}

/**
 * The stand-in-lib check of one generated type module (a file of a generated package) against a Nix expression of
 * inputs; `more` are further arguments of eval-inputs.nix as Nix expressions (`configuration`, `memberPath`).
 */
export function evalTypeInputs(
  typeModule: string,
  inputsNix: string,
  more: Record<string, string> = {},
): Promise<NixEvalResult> {
  const dir = dirname(typeModule);
  const typeName = (basename(dir) === "data-sources" ? "data_" : "") + basename(typeModule, ".nix");
  return nixEval(join(MINI_LIB_DIR, "eval-inputs.nix"), {
    providerDir: dirname(dir),
    typeName: JSON.stringify(typeName),
    inputs: inputsNix,
    ...more,
  });
}
