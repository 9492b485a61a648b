// Each check runs in its own Node process on the compiled module, as bridge processes do (vitest's module loader
// would not load a validator module written at run time).
import { execa } from "execa";
import { mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../testkit/repo-root.js";

const cacheDir = mkdtempSync(join(tmpdir(), "validators-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const script = `
const { InputValidator } = await import(${JSON.stringify(join(repoRoot, "dist/bridge/requests/validate-inputs.js"))});
const [cacheDir, source, inputs, build] = process.argv.slice(1);
const schema = {
  type: "object",
  properties: {
    name: { type: "string" },
    tags: { type: ["object", "null"], additionalProperties: { type: "string" } },
    // Long enough that Ajv's code needs a runtime helper (deep equality), as the AWS provider's endpoints do.
    kind: { enum: Array.from({ length: 300 }, (_, i) => "kind" + i) },
  },
  required: ["name"],
  additionalProperties: false,
};
let built = false;
let problems = [];
try {
  await new InputValidator(cacheDir, build || undefined).validate("t_thing", source, async () => ((built = true), schema), JSON.parse(inputs));
} catch (error) {
  problems = [...error.problems].sort();
}
console.log(JSON.stringify({ built, problems }));
`;

async function check(source: string, inputs: unknown, build = ""): Promise<{ built: boolean; problems: string[] }> {
  const { stdout } = await execa(process.execPath, [
    "--input-type=module",
    "-e",
    script,
    cacheDir,
    source,
    JSON.stringify(inputs),
    build,
  ]);
  return JSON.parse(stdout);
}

describe("InputValidator", () => {
  it("compiles once, keeps the validator in the cache, and a later process loads it with the same answers", async () => {
    const bad = { nmae: "x", tags: { a: 1 } };
    const first = await check("source-1", bad);
    expect(first).toEqual({
      built: true,
      problems: [
        'attribute "tags.a": expected string, got integer',
        'missing required attribute "name"',
        'unknown attribute "nmae" (did you mean "name"?)',
      ],
    });
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".mjs"))).toHaveLength(1);
    expect(await check("source-1", bad)).toEqual({ ...first, built: false });
    expect(await check("source-1", { name: "ok", tags: null })).toEqual({ built: false, problems: [] });
    expect(await check("source-1", { name: "ok", kind: "kind299" })).toEqual({ built: false, problems: [] });
    expect((await check("source-1", { name: "ok", kind: "other" })).problems).toEqual([
      'attribute "kind": expected one of ' + JSON.stringify(Array.from({ length: 300 }, (_, i) => `kind${i}`)),
    ]);
    // Another schema source is another validator.
    expect((await check("source-2", bad)).built).toBe(true);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".mjs"))).toHaveLength(2);
  });

  it("keys the cache on the build, not on file times: another build compiles anew, touched files do not", async () => {
    const inputs = { name: "x" };
    expect((await check("source-3", inputs, "0.1.0+aaaa")).built).toBe(true);
    expect((await check("source-3", inputs, "0.1.0+aaaa")).built).toBe(false);
    // An upgrade (same version, other content) and a new version are other builds.
    expect((await check("source-3", inputs, "0.1.0+bbbb")).built).toBe(true);
    expect((await check("source-3", inputs, "0.2.0+aaaa")).built).toBe(true);
    // The default is this build's id: file times (all 1 in the Nix store) play no part.
    expect((await check("source-4", inputs)).built).toBe(true);
    const now = new Date();
    for (const file of readdirSync(join(repoRoot, "dist/opentofu/wire"))) {
      utimesSync(join(repoRoot, "dist/opentofu/wire", file), now, now);
    }
    expect((await check("source-4", inputs)).built).toBe(false);
  });
});
