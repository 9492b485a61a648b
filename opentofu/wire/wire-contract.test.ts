import { describe, expect, it } from "vitest";
import { nixNameOf, parseWireType, RESERVED_INPUTS, wireTypeOf } from "./wire-contract.js";

describe("wire types", () => {
  it("carry data sources as data.<name> and resources as their type, and parse back", () => {
    expect(wireTypeOf("data", "aws_caller_identity")).toBe("data.aws_caller_identity");
    expect(wireTypeOf("managed", "aws_s3_bucket")).toBe("aws_s3_bucket");
    for (const [mode, type] of [
      ["data", "aws_ami"],
      ["managed", "aws_iam_user"],
    ] as const)
      expect(parseWireType(wireTypeOf(mode, type))).toEqual({ mode, type });
  });

  it("name data sources data_<name> in Nix, so that they sit beside resources of the same name", () => {
    expect(nixNameOf("data", "aws_ami")).toBe("data_aws_ami");
    expect(nixNameOf("managed", "aws_ami")).toBe("aws_ami");
  });

  it("reserves the meta-arguments and the member path", () => {
    expect([...RESERVED_INPUTS]).toEqual(["provider", "lifecycle", "import", "_member"]);
  });
});
