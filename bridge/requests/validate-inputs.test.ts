import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputValidationError, InputValidator } from "./validate-inputs.js";

const cacheDir = mkdtempSync(join(tmpdir(), "validators-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const schema = {
  type: "object",
  properties: { name: { type: "string" }, tags: { type: ["object", "null"], additionalProperties: { type: "string" } } },
  required: ["name"],
  additionalProperties: false,
};

async function problems(validator: InputValidator, source: unknown, inputs: unknown, built: { count: number }): Promise<string[]> {
  try {
    await validator.validate("t_thing", source, async () => {
      built.count++;
      return schema;
    }, inputs);
    return [];
  } catch (error) {
    return (error as InputValidationError).problems;
  }
}

describe("InputValidator", () => {
  it("compiles once, keeps the validator in the cache, and a later process loads it with the same answers", async () => {
    const built = { count: 0 };
    const bad = { nmae: "x", tags: { a: 1 } };
    const first = await problems(new InputValidator(cacheDir), "source-1", bad, built);
    expect([...first].sort()).toEqual(['attribute "tags.a": expected string, got integer', 'missing required attribute "name"', 'unknown attribute "nmae" (did you mean "name"?)']);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".mjs"))).toHaveLength(1);

    const second = await problems(new InputValidator(cacheDir), "source-1", bad, built);
    expect(second).toEqual(first);
    expect(built.count).toBe(1);
    expect(await problems(new InputValidator(cacheDir), "source-1", { name: "ok", tags: null }, built)).toEqual([]);

    // Another schema source is another validator.
    await problems(new InputValidator(cacheDir), "source-2", bad, built);
    expect(built.count).toBe(2);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".mjs"))).toHaveLength(2);
  });
});
