import { describe, expect, it } from "vitest";
import { createInputAjv } from "./ajv.js";
import { inputJsonSchema } from "./json-schema.js";
import type { ProviderSchemaEntry } from "../provider/provider-schema.js";
import { readBlock } from "../provider/read-schema.js";
import { memberAcceptance, takesBlockSyntax } from "./object-members.js";
import { inputView } from "./views.js";

// aws_security_group's `ingress` (a set of objects, none of whose members is marked optional) beside a plain
// object attribute and an object whose `note` member the type marks optional.
const block = {
  attributes: {
    ingress: {
      type: ["set", ["object", { from_port: "number", description: "string" }]],
      optional: true,
      computed: true,
    },
    settings: { type: ["object", { a: "string", b: "string" }], optional: true },
    tagged: { type: ["list", ["object", { key: "string", note: "string" }, ["note"]]], optional: true },
  },
} as const;
const entry = {
  provider: { version: 0, block: {} },
  resource_schemas: { x_group: { version: 0, block } },
} as unknown as ProviderSchemaEntry;
const struct = readBlock(entry.resource_schemas!.x_group!.block, "x_group");

describe("Terraform's acceptance of object members", () => {
  it("null always; absent only where the type says optional or the object is an element of a list or set", () => {
    const [ingress, settings, tagged] = struct.fields;
    expect([ingress, settings, tagged].map((f) => takesBlockSyntax(f!))).toEqual([true, false, true]);
    const settingsStruct = settings!.type.kind === "struct" ? settings!.type.struct : undefined;
    expect(memberAcceptance(settingsStruct!.fields[0]!, false)).toEqual({ mayBeAbsent: false, mayBeNull: true });
    expect(memberAcceptance(settingsStruct!.fields[0]!, true)).toEqual({ mayBeAbsent: true, mayBeNull: true });
  });

  it("the views give Nix `nullOr` with a null default, and JSON Schema and TypeScript what Terraform takes", () => {
    const fields = new Map(inputView(struct, "managed").root.fields.map((f) => [f.name, f]));
    const members = (name: string) => {
      const ty = fields.get(name)!.type;
      const s =
        ty.kind === "struct"
          ? ty.struct
          : (ty.kind === "set" || ty.kind === "list") && ty.element.kind === "struct"
            ? ty.element.struct
            : undefined;
      return s!.fields.map((f) => [f.name, f.required, f.nullable, f.nixNullable, f.nixDefault]);
    };
    expect(members("ingress")).toEqual([
      ["from_port", false, true, true, "null"],
      ["description", false, true, true, "null"],
    ]);
    expect(members("settings")).toEqual([
      ["a", true, true, true, "null"],
      ["b", true, true, true, "null"],
    ]);
  });

  it("the bridge's JSON Schema accepts the rule as Terraform users write it, and nulls, and refuses a missing member of a plain object", () => {
    const validate = createInputAjv().compile(inputJsonSchema(entry, "managed", "x_group"));
    expect(validate({ ingress: [{ from_port: 443 }] })).toBe(true);
    expect(validate({ ingress: [{ from_port: 443, description: null }] })).toBe(true);
    expect(validate({ settings: { a: "x", b: null } })).toBe(true);
    expect(validate({ settings: { a: "x" } })).toBe(false);
    expect(validate({ ingress: [{ from_port: "443" }] })).toBe(false);
    expect(validate({ _member: ["web"] })).toBe(true);
    expect(validate({ _member: [1] })).toBe(false);
  });
});
