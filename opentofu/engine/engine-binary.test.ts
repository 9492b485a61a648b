import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineNotFoundError, resolveEngine } from "./engine-binary.js";

let root: DirectoryResult;
let withTofu: string;
let withTerraform: string;
let notExecutable: string;

/** A directory holding an executable (or, with mode 0o644, a plain file) of each given name. */
function binDir(name: string, files: string[], mode = 0o755): string {
  const dir = join(root.path, name);
  mkdirSync(dir);
  for (const file of files) {
    writeFileSync(join(dir, file), "#!/bin/sh\n");
    chmodSync(join(dir, file), mode);
  }
  return dir;
}

beforeAll(async () => {
  root = await tmpDir({ unsafeCleanup: true });
  withTofu = binDir("both", ["tofu", "terraform"]);
  withTerraform = binDir("tf", ["terraform"]);
  notExecutable = binDir("plain", ["tofu"], 0o644);
});
afterAll(() => root.cleanup());

describe("resolveEngine", () => {
  it("prefers tofu on PATH, then terraform, skipping files that are not executable", () => {
    expect(resolveEngine(undefined, { PATH: withTofu })).toBe(join(withTofu, "tofu"));
    expect(resolveEngine(undefined, { PATH: `${notExecutable}:${withTerraform}` })).toBe(
      join(withTerraform, "terraform"),
    );
    expect(() => resolveEngine(undefined, { PATH: notExecutable })).toThrow(
      /neither `tofu` nor `terraform` is on PATH; install OpenTofu or pass --engine/,
    );
  });

  it("takes an explicit name from PATH and an explicit path as it is, if it can be run", () => {
    expect(resolveEngine("terraform", { PATH: withTofu })).toBe(join(withTofu, "terraform"));
    expect(resolveEngine(join(withTerraform, "terraform"), { PATH: "" })).toBe(join(withTerraform, "terraform"));
    expect(() => resolveEngine("tofu", { PATH: withTerraform })).toThrow(/engine "tofu" was not found on PATH/);
    expect(() => resolveEngine(join(notExecutable, "tofu"), {})).toThrow(EngineNotFoundError);
    expect(() => resolveEngine(join(notExecutable, "tofu"), {})).toThrow(/does not exist or is not executable/);
  });
});
