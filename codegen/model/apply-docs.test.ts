import { describe, expect, it } from "vitest";
import { readBlock } from "../../opentofu/provider/read-schema.js";
import type { SchemaBlock } from "../../opentofu/provider/provider-schema.js";
import { applyDocs } from "./apply-docs.js";
import type { Struct } from "../../opentofu/provider/model.js";

const block: SchemaBlock = {
  attributes: {
    name: { type: "string", required: true, description: "From the schema." },
    size: { type: "number", optional: true },
  },
  block_types: {
    rule: {
      nesting_mode: "list",
      block: {
        attributes: { priority: { type: "number", required: true } },
        block_types: {
          filter: { nesting_mode: "list", block: { attributes: { key: { type: "string", optional: true } } } },
        },
      },
    },
    filter: { nesting_mode: "list", block: { attributes: { key: { type: "string", optional: true } } } },
  },
};

function fieldOf(struct: Struct, ...path: string[]) {
  let current = struct;
  for (const name of path.slice(0, -1)) {
    const ty = current.fields.find((f) => f.name === name)!.type;
    current = (
      ty.kind === "list" && ty.element.kind === "struct"
        ? ty.element.struct
        : ty.kind === "struct"
          ? ty.struct
          : undefined
    )!;
  }
  return current.fields.find((f) => f.name === path.at(-1))!;
}

describe("applyDocs", () => {
  it("fills missing descriptions, never replaces the schema's, and skips block names used twice", () => {
    const struct = readBlock(block, "t");
    applyDocs(struct, {
      summary: "What t is.",
      fields: { name: "From the docs.", size: "Size." },
      blocks: {
        rule: { priority: "Order." },
        filter: { key: "Ambiguous: rule.filter or filter?" },
        "rule.filter": { key: "By path." },
      },
    });
    expect(struct.description).toBe("What t is.");
    expect(fieldOf(struct, "name").description).toBe("From the schema.");
    expect(fieldOf(struct, "size").description).toBe("Size.");
    expect(fieldOf(struct, "rule", "priority").description).toBe("Order.");
    expect(fieldOf(struct, "rule", "filter", "key").description).toBe("By path.");
    expect(fieldOf(struct, "filter", "key").description).toBeUndefined();
  });
});
