import { describe, expect, it } from "vitest";
import { optionalAttribute } from "../../opentofu/wire/meta-arguments.js";
import { fieldDescription, fieldNotes } from "./field-notes.js";

const optionalComputed = { ...optionalAttribute("acl", { kind: "string" }, "The ACL."), computed: true };

describe("field notes", () => {
  it("tell an input how it may be set", () => {
    expect(fieldNotes({ ...optionalComputed, deprecated: true })).toEqual([
      "computed by the provider when not set",
      "deprecated",
    ]);
    expect(fieldDescription(optionalComputed)).toBe("The ACL.\n\n(computed by the provider when not set)");
  });
  it("tell an output only what reading it needs: no setting notes, no item counts", () => {
    const block = {
      ...optionalComputed,
      origin: "block" as const,
      nesting: "list" as const,
      maxItems: 1,
      sensitive: true,
    };
    expect(fieldNotes(block, "inputs")).toEqual([
      "computed by the provider when not set",
      "at most 1 item",
      "sensitive",
    ]);
    expect(fieldNotes(block, "outputs")).toEqual(["sensitive"]);
    expect(fieldDescription(optionalComputed, "outputs")).toBe("The ACL.");
  });
});
