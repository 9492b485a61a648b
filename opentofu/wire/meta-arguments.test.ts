import { describe, expect, it } from "vitest";
import { readBlock } from "../provider/read-schema.js";
import { checkReservedNames, ReservedNameError } from "./meta-arguments.js";

describe("checkReservedNames", () => {
  it("reports a provider attribute named like a reserved input, naming the type and the attribute", () => {
    for (const name of ["provider", "lifecycle", "import", "_member"]) {
      const struct = readBlock({ attributes: { [name]: { type: "string", optional: true } } }, "x_thing");
      expect(() => checkReservedNames(struct, "managed", "x_thing")).toThrow(ReservedNameError);
      expect(() => checkReservedNames(struct, "managed", "x_thing")).toThrow(
        new RegExp(`resource x_thing: attribute "${name}" collides with the reserved input "${name}"`),
      );
    }
    const block = readBlock({ block_types: { lifecycle: { nesting_mode: "list", block: {} } } }, "x_data");
    expect(() => checkReservedNames(block, "data", "x_data")).toThrow(/data source x_data: block "lifecycle"/);
  });

  it("accepts ordinary names", () => {
    const struct = readBlock({ attributes: { provider_name: { type: "string", optional: true } } }, "x_thing");
    expect(() => checkReservedNames(struct, "managed", "x_thing")).not.toThrow();
  });
});
