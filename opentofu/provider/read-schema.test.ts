import { describe, expect, it } from "vitest";
import { edgeEntry } from "../../testkit/edge-fixture.js";
import { readBlock, readCtyType, SchemaReadError } from "./read-schema.js";

describe("readCtyType", () => {
  it("reads every cty type, keeping which object attributes are optional", () => {
    expect(readCtyType(["tuple", ["string", ["list", "number"]]], "x")).toEqual({
      kind: "tuple",
      elements: [{ kind: "string" }, { kind: "list", element: { kind: "number" } }],
    });
    const object = readCtyType(["object", { a: "string", b: "dynamic" }, ["b"]], "x");
    expect(object.kind).toBe("struct");
    if (object.kind !== "struct") return;
    expect(object.struct.fields.map((f) => [f.name, f.type.kind, f.required, f.optional])).toEqual([
      ["a", "string", true, false],
      ["b", "dynamic", false, true],
    ]);
    expect(readCtyType(["map", ["set", "bool"]], "x")).toEqual({
      kind: "map",
      element: { kind: "set", element: { kind: "bool" } },
    });
  });

  it("names the attribute path of a type it does not know", () => {
    expect(() => readCtyType(["capsule", "x"] as never, "aws_x.tags")).toThrow(SchemaReadError);
    expect(() => readCtyType("int" as never, "aws_x.size")).toThrow(/aws_x\.size: unknown primitive type "int"/);
  });
});

describe("readBlock", () => {
  const struct = readBlock(edgeEntry().resource_schemas!.edge_thing!.block, "edge_thing");
  const field = (name: string) => struct.fields.find((f) => f.name === name)!;

  it("keeps flags, descriptions and nesting of attributes, nested attribute types and blocks", () => {
    expect(field("password")).toMatchObject({ sensitive: true, writeOnly: true, optional: true });
    expect(field("old_name").deprecated).toBe(true);
    expect(field("arn")).toMatchObject({
      computed: true,
      optional: false,
      description: "The ARN, computed by the provider.",
    });
    expect(field("list_nested")).toMatchObject({
      origin: "attribute",
      nesting: "list",
      minItems: 1,
      maxItems: 3,
      required: true,
    });
    expect(field("map_nested").type).toMatchObject({ kind: "map", element: { kind: "struct" } });
    expect(field("single_nested").type.kind).toBe("struct");
    expect(field("rule")).toMatchObject({ origin: "block", nesting: "list", minItems: 1, maxItems: 5 });
    expect(field("group_block")).toMatchObject({ origin: "block", nesting: "group" });
    expect(field("named").type).toMatchObject({ kind: "map" });
    expect(field("legacy").deprecated).toBe(true);
    expect(field("single_block").description).toBe("A single block.");
  });
});
