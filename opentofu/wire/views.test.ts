import { describe, expect, it } from "vitest";
import { edgeEntry } from "../../testkit/edge-fixture.js";
import { readBlock } from "../provider/read-schema.js";
import { optionalAttribute } from "./meta-arguments.js";
import type { Struct } from "../provider/model.js";
import { inputView, outputView, type View } from "./views.js";

const entry = edgeEntry();
const thing = readBlock(entry.resource_schemas!.edge_thing!.block, "edge_thing");
const byName = (view: View) => new Map(view.root.fields.map((f) => [f.name, f]));

describe("inputView", () => {
  const inputs = byName(inputView(thing, "managed"));

  it("leaves out computed-only attributes, blocks with nothing settable and the legacy optional+computed id", () => {
    expect(inputs.has("arn")).toBe(false);
    expect(inputs.has("secret_map")).toBe(false);
    expect(inputs.has("observed")).toBe(false);
    expect(inputs.has("id")).toBe(false);
    expect(inputs.has("enabled")).toBe(true); // optional + computed stays settable
    const single = inputs.get("single_nested")!.type;
    expect(single.kind === "struct" && single.struct.fields.map((f) => f.name)).toEqual(["key", "value"]);
  });

  it("keeps a data source's id, which is a lookup argument there", () => {
    const data = readBlock(entry.data_source_schemas!.edge_thing!.block, "edge_thing");
    expect(byName(inputView(data, "data")).get("id")).toMatchObject({ required: false, nixDefault: "null" });
  });

  it("applies Terraform's presence rules per attribute and nesting mode", () => {
    const presence = (name: string) => {
      const f = inputs.get(name)!;
      return [f.required, f.nixNullable, f.nixDefault];
    };
    expect(presence("name")).toEqual([true, false, undefined]);
    expect(presence("size")).toEqual([false, true, "null"]);
    expect(presence("list_nested")).toEqual([true, false, undefined]); // required nested attribute
    expect(presence("rule")).toEqual([true, false, undefined]); // min_items 1
    expect(presence("setting")).toEqual([false, false, "[ ]"]);
    expect(presence("single_block")).toEqual([false, true, "null"]);
    expect(presence("group_block")).toEqual([false, false, "{ }"]);
    expect(presence("named")).toEqual([false, false, "{ }"]);
  });

  it("interns identical structs once and counts the places that refer to them", () => {
    const view = inputView(thing, "managed");
    const match = view.structs.find((s) => s.name === "match_or_fallback")!;
    expect(match.uses).toBe(2); // rule.match and rule.fallback
    expect(match.usedAs).toEqual(["match", "fallback"]);
    expect(view.structs.some((s) => s.name === "fallback" || s.name === "match")).toBe(false);
    // set_nested has the same settable shape as list_nested; both point at one struct
    const list = inputs.get("list_nested")!.type;
    const set = inputs.get("set_nested")!.type;
    const structOf = (t: typeof list) =>
      (t.kind === "list" || t.kind === "set") && t.element.kind === "struct" && t.element.struct;
    expect(structOf(list)).toBeTruthy();
    expect(structOf(list)).toBe(structOf(set));
  });

  it("counts the children of a repeated struct once, not once per copy", () => {
    const leaf: Struct = { deprecated: false, fields: [attr("v")] };
    const middle = (): Struct => ({ deprecated: false, fields: [block("leaf", leaf)] });
    const root: Struct = {
      deprecated: false,
      fields: [block("a", middle()), block("b", middle()), block("c", middle())],
    };
    const view = inputView(root, "managed");
    expect(view.structs.map((s) => [s.name, s.uses])).toEqual([
      ["a_or_b_or_c", 3],
      ["leaf", 1],
    ]);
  });

  it("names a struct that fields of different names share by all of them, never by the first one alone", () => {
    const view = inputView(thing, "managed");
    const fieldType = (name: string) => view.root.fields.find((f) => f.name === name)!.type;
    const setting = fieldType("setting");
    // `setting` (a set block) and `single_nested` (a nested attribute) have the same settable shape.
    expect(setting.kind === "set" && setting.element.kind === "struct" && setting.element.struct.name).toBe(
      "single_nested_or_setting",
    );
    const kv = (): Struct => ({ deprecated: false, fields: [attr("k")] });
    const many: Struct = { deprecated: false, fields: ["a", "b", "c", "d"].map((n) => block(n, kv())) };
    expect(inputView(many, "managed").structs.map((s) => s.name)).toEqual(["shared_object"]);
    const three: Struct = {
      deprecated: false,
      fields: [
        block("shared_object", kv()),
        ...["a", "b", "c"].map((n) => block(n, { deprecated: false, fields: [attr("z")] })),
      ],
    };
    expect(inputView(three, "managed", ["a_or_b_or_c"]).structs.map((s) => s.name)).toEqual([
      "shared_object",
      "a_or_b_or_c_2",
    ]);
    // Words all names share make the name, unless they are too little or another field's name.
    const affix = (names: string[], extra: string[] = []): string[] =>
      inputView(
        { deprecated: false, fields: [...names.map((n) => block(n, kv())), ...extra.map((n) => attr(n))] },
        "managed",
      ).structs.map((s) => s.name);
    expect(affix(["amazon_managed_kafka_config", "self_managed_kafka_config"])).toEqual(["managed_kafka_config"]);
    expect(affix(["list_nested", "set_nested"])).toEqual(["nested"]);
    expect(affix(["list_nested", "set_nested"], ["nested"])).toEqual(["list_nested_or_set_nested"]);
    expect(affix(["on_failure", "on_success"])).toEqual(["on_failure_or_on_success"]);
  });

  it("gives colliding names the parent's name, then a number", () => {
    const inner = (n: string): Struct => ({ deprecated: false, fields: [attr(n)] });
    const root: Struct = {
      deprecated: false,
      fields: [
        block("x", { deprecated: false, fields: [block("config", inner("p"))] }),
        block("y", { deprecated: false, fields: [block("config", inner("q"))] }),
      ],
    };
    expect(inputView(root, "managed", ["x"]).structs.map((s) => s.name)).toEqual(["x_2", "y", "config", "y_config"]);
  });
});

describe("outputView", () => {
  it("has every attribute and block, all nullable", () => {
    const outputs = outputView(thing);
    const names = outputs.root.fields.map((f) => f.name);
    for (const name of ["id", "arn", "secret_map", "observed", "tags_all"]) expect(names).toContain(name);
    expect(names).not.toContain("password"); // write-only: never in state
    expect(outputs.root.fields.every((f) => f.nixNullable && !f.required)).toBe(true);
    const single = outputs.root.fields.find((f) => f.name === "single_nested")!.type;
    expect(single.kind === "struct" && single.struct.fields.map((f) => f.name)).toContain("version_id");
  });
});

function attr(name: string): Struct["fields"][number] {
  return optionalAttribute(name, { kind: "string" });
}

function block(name: string, struct: Struct): Struct["fields"][number] {
  return {
    ...attr(name),
    origin: "block",
    nesting: "list",
    type: { kind: "list", element: { kind: "struct", struct } },
  };
}
