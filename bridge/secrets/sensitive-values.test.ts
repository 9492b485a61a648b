import { describe, expect, it } from "vitest";
import { providerCredentialPaths, valueAtPath } from "./sensitive-values.js";

describe("providerCredentialPaths", () => {
  it("finds schema-sensitive attributes and credential names, in nested blocks too, outermost only", () => {
    const block = {
      attributes: {
        region: { type: "string" as const },
        password_hash: { type: "string" as const },
        opaque: { type: "string" as const, sensitive: true },
      },
      block_types: {
        assume_role: {
          nesting_mode: "list" as const,
          block: {
            attributes: { role_arn: { type: "string" as const }, wo: { type: "string" as const, write_only: true } },
          },
        },
        named: {
          nesting_mode: "map" as const,
          block: { attributes: { value: { type: "string" as const, sensitive: true } } },
        },
      },
    };
    const config = {
      region: "us-east-1",
      opaque: "o",
      secret_key: "s",
      password_hash: "p",
      assume_role: [{ role_arn: "arn", wo: "w", session_name: "n" }],
      named: { first: { value: "v" } },
      token: { nested: { api_key: "inner" } },
    };
    const paths = providerCredentialPaths(block, config);
    expect(paths).toEqual([
      ["opaque"],
      ["secret_key"],
      ["password_hash"],
      ["assume_role", 0, "wo"],
      ["assume_role", 0, "session_name"],
      ["named", "first", "value"],
      ["token"],
    ]);
    expect(paths.map((p) => valueAtPath(config, p))).toEqual([
      "o",
      "s",
      "p",
      "w",
      "n",
      "v",
      { nested: { api_key: "inner" } },
    ]);
  });

  it("finds nothing in a configuration without credentials", () => {
    expect(providerCredentialPaths(undefined, { region: "r", endpoints: [{ s3: "http://x" }] })).toEqual([]);
  });
});
