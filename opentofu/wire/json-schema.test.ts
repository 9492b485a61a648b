import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeEntry, generateEdgePackage } from "../../testkit/edge-fixture.js";
import { createGeneratedInputAjv, createInputAjv } from "./ajv.js";
import { inputJsonSchema, type JsonSchema } from "./json-schema.js";

const valid = {
  name: "thing",
  zones: ["a", "b"],
  list_nested: [{ cidr: "10.0.0.0/8", note: null }],
  rule: [{ priority: 1, match: [{ field: "f", negate: true }], fallback: [] }],
  pair: ["a", 1],
  endpoint: { host: "h", port: 443 },
  anything: { whatever: [1, "x"] },
  map_nested: { a: { weight: 1 } },
  named: { first: { value: "v" } },
  group_block: { level: 2 },
  single_block: { mode: "m" },
  or: "keyword",
  "with-dash": "x",
  provider: { region: "eu-west-1", assume_role: [{ role_arn: "arn:x" }] },
  lifecycle: { prevent_destroy: true, ignore_changes: ["tags"] },
  import: { id: "existing" },
  size: null,
};

describe("input JSON Schema of the edge fixture", () => {
  let pkg: Awaited<ReturnType<typeof generateEdgePackage>>;
  let validateFile: (value: unknown) => boolean;
  const inMemory = createInputAjv().compile(inputJsonSchema(edgeEntry(), "managed", "edge_thing"));
  beforeAll(async () => {
    pkg = await generateEdgePackage();
    const read = (p: string) => JSON.parse(readFileSync(join(pkg.dir, p), "utf8")) as JsonSchema;
    validateFile = createGeneratedInputAjv(read(pkg.index.metaArguments.jsonSchema)).compile(
      read(pkg.index.resources.edge_thing!.jsonSchema),
    );
  });
  afterAll(() => pkg.cleanup());

  // The generated file (meta-arguments by reference) and the in-memory schema (embedded) must decide alike.
  const decide = (value: unknown) => {
    const a = validateFile(value);
    const b = inMemory(value);
    expect(a).toBe(b);
    return { ok: b, errors: (inMemory.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
  };

  it("accepts valid inputs, with null for anything optional", () => {
    expect(decide(valid)).toEqual({ ok: true, errors: [] });
    expect(
      decide({ name: "n", zones: [], list_nested: [{ cidr: "c" }], rule: [{ priority: 0 }], provider: null }),
    ).toMatchObject({ ok: true });
  });

  it("rejects unknown attributes at every level", () => {
    expect(decide({ ...valid, nmae: "x" }).errors).toContain(" must NOT have additional properties");
    expect(decide({ ...valid, rule: [{ priority: 1, match: [{ field: "f", extra: 1 }] }] }).errors).toContain(
      "/rule/0/match/0 must NOT have additional properties",
    );
    expect(decide({ ...valid, provider: { regoin: "x" } }).ok).toBe(false);
    expect(decide({ ...valid, arn: "computed-only is not an input" }).ok).toBe(false);
    expect(decide({ ...valid, id: "legacy id is not an input" }).ok).toBe(false);
  });

  it("rejects wrong types, wrong tuple shapes and out-of-range item counts", () => {
    expect(decide({ ...valid, size: "3" }).errors).toContain("/size must be number,null");
    expect(decide({ ...valid, zones: "a" }).ok).toBe(false);
    expect(decide({ ...valid, pair: ["a", "b"] }).errors).toContain("/pair/1 must be number");
    expect(decide({ ...valid, pair: ["a", 1, 2] }).ok).toBe(false);
    expect(decide({ ...valid, list_nested: [] }).errors).toContain("/list_nested must NOT have fewer than 1 items");
    expect(decide({ ...valid, rule: [{ priority: 1, match: [{ field: "a" }, { field: "b" }] }] }).errors).toContain(
      "/rule/0/match must NOT have more than 1 items",
    );
    expect(decide({ ...valid, map_nested: { a: { weight: "heavy" } } }).ok).toBe(false);
    expect(decide({ ...valid, lifecycle: { prevent_destroy: "yes" } }).ok).toBe(false);
  });

  it("rejects missing required attributes, also inside objects and the meta-arguments", () => {
    const { name: _name, ...withoutName } = valid;
    expect(decide(withoutName).errors).toContain(" must have required property 'name'");
    expect(decide({ ...valid, endpoint: { host: "h" } }).errors).toContain(
      "/endpoint must have required property 'port'",
    );
    expect(decide({ ...valid, import: {} }).ok).toBe(false);
    expect(decide({ ...valid, provider: { assume_role: [{}] } }).ok).toBe(false);
  });

  it("annotates sensitive, write-only and deprecated attributes and shares repeated structs as definitions", () => {
    const schema = inputJsonSchema(edgeEntry(), "managed", "edge_thing") as {
      properties: Record<string, JsonSchema>;
      definitions: Record<string, JsonSchema>;
    };
    expect(schema.properties.password).toMatchObject({ "x-sensitive": true, writeOnly: true });
    expect(schema.properties.old_name).toMatchObject({ deprecated: true });
    expect(schema.properties.legacy).toMatchObject({ deprecated: true, maxItems: 1 });
    expect(Object.keys(schema.definitions)).toEqual(
      expect.arrayContaining(["match_or_fallback", "nested", "meta.provider", "meta.lifecycle", "meta.import"]),
    );
    expect(JSON.stringify(schema.properties.rule)).toContain('"$ref":"#/definitions/match_or_fallback"');
    expect(schema.properties.lifecycle).toBeDefined();
  });

  it("gives data sources only the provider meta-argument", () => {
    const validate = createInputAjv().compile(inputJsonSchema(edgeEntry(), "data", "edge_thing"));
    expect(
      validate({ name: "n", id: "lookup", filter: [{ name: "a", values: ["b"] }], provider: { region: "r" } }),
    ).toBe(true);
    expect(validate({ name: "n", lifecycle: {} })).toBe(false);
  });

  it("names the type when asked for one the provider does not have", () => {
    expect(() => inputJsonSchema(edgeEntry(), "managed", "edge_nope")).toThrow(/no resource type named "edge_nope"/);
  });
});
