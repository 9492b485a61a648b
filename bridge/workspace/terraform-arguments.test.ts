import { describe, expect, it } from "vitest";
import type { CtyType } from "../../opentofu/provider/provider-schema.js";
import { readBlock } from "../../opentofu/provider/read-schema.js";
import { LosslessNumber } from "../json/exact-json.js";
import { terraformArguments } from "./terraform-arguments.js";

// aws_security_group's shape: `ingress` is a set of cty objects (SDKv2's attributes as blocks), none of whose
// members the schema marks optional.
const rule: CtyType = [
  "object",
  { from_port: "number", protocol: "string", description: "string", cidr_blocks: ["list", "string"] },
];
const block = readBlock(
  {
    attributes: {
      name: { type: "string", optional: true },
      ingress: { type: ["set", rule], optional: true, computed: true },
      settings: { type: ["object", { a: "string", b: ["object", { c: "string" }] }], optional: true },
      nested: {
        nested_type: { nesting_mode: "list", attributes: { x: { type: "string", optional: true } } },
        optional: true,
      },
      blob: { type: "dynamic", optional: true },
    },
    block_types: {
      timeouts: { nesting_mode: "single", block: { attributes: { create: { type: "string", optional: true } } } },
    },
  },
  "x_group",
);

describe("terraformArguments", () => {
  it("fills the members an object leaves out with null and keeps the nulls it gives", () => {
    const args = terraformArguments(block, {
      ingress: [
        { from_port: 80, protocol: "tcp", cidr_blocks: ["0.0.0.0/0"] },
        { from_port: 22, protocol: "tcp", description: null, cidr_blocks: null },
      ],
      settings: { a: "x" },
    });
    expect(args).toEqual({
      ingress: [
        { from_port: 80, protocol: "tcp", description: null, cidr_blocks: ["0.0.0.0/0"] },
        { from_port: 22, protocol: "tcp", description: null, cidr_blocks: null },
      ],
      settings: { a: "x", b: null },
    });
  });

  it("leaves out null attributes and blocks, also inside blocks and nested attribute types", () => {
    const args = terraformArguments(block, {
      name: null,
      ingress: null,
      timeouts: { create: null },
      nested: [{ x: null }],
      blob: { k: null, v: 1 },
    });
    expect(args).toEqual({ timeouts: {}, nested: [{}], blob: { v: 1 } });
  });

  it("keeps exact numbers and names the schema does not know", () => {
    const big = new LosslessNumber("9007199254740993");
    const args = terraformArguments(block, {
      ingress: [{ from_port: big, protocol: "tcp" }],
      unknown: { a: null, b: 1 },
    });
    expect((args.ingress as Record<string, unknown>[])[0]!.from_port).toBe(big);
    expect(args.unknown).toEqual({ b: 1 });
  });
});
