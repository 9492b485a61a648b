import { describe, expect, it } from "vitest";
import { createInputAjv } from "../../opentofu/wire/ajv.js";
import { attributePath, describeInputErrors, suggestion } from "./input-errors.js";

/** The messages for `value` against `schema`, through a real Ajv. */
function problems(schema: object, value: unknown): string[] {
  // verbose, as validate-inputs.ts sets it: errors carry the failing sub-schema and data.
  const validate = createInputAjv({ verbose: true }).compile(schema);
  expect(validate(value)).toBe(false);
  return describeInputErrors(validate.errors ?? []);
}

const tags = { type: "object", properties: { Name: { type: "string" } }, additionalProperties: false };
const schema = {
  type: "object",
  additionalProperties: false,
  required: ["bucket"],
  properties: {
    bucket: { type: "string" },
    force_destroy: { type: ["boolean", "null"] },
    tags,
    rule: {
      type: "array",
      minItems: 1,
      maxItems: 2,
      items: { type: "object", properties: { days: { type: "integer" } }, additionalProperties: false },
    },
    acl: { enum: ["private", "public-read"] },
    mode: { const: "managed" },
    "a/b~c": { type: "string" },
  },
};

describe("attributePath", () => {
  it("writes a JSON pointer as a Nix attribute path, indexes in brackets and escapes undone", () => {
    expect(attributePath("")).toBe("");
    expect(attributePath("/rule/0/days")).toBe("rule[0].days");
    expect(attributePath("/a~1b~0c")).toBe("a/b~c");
    expect(attributePath("/0/x")).toBe("[0].x");
  });
});

describe("suggestion", () => {
  it("offers the closest name only when it is plausibly a typo", () => {
    expect(suggestion("buckt", ["bucket", "tags"])).toBe("bucket");
    expect(suggestion("zzzzzz", ["bucket", "tags"])).toBeUndefined();
    expect(suggestion("x", [])).toBeUndefined();
  });
});

describe("describeInputErrors", () => {
  it("names a misspelt attribute with the near one, or lists the valid ones when none is near", () => {
    expect(problems(schema, { bucket: "b", tags: { Nmae: "x" } })).toEqual([
      'unknown attribute "tags.Nmae" (did you mean "tags.Name"?)',
    ]);
    expect(problems(tags, { Totally: "x" })).toEqual(['unknown attribute "Totally"; valid here: Name']);
  });

  it("says which attribute is missing, and what type was expected and given (null branches left out)", () => {
    expect(problems(schema, {})).toEqual(['missing required attribute "bucket"']);
    expect(problems(schema, { bucket: 3, force_destroy: "yes" })).toEqual([
      'attribute "bucket": expected string, got integer',
      'attribute "force_destroy": expected bool, got string',
    ]);
    expect(problems(schema, { bucket: "b", rule: [{ days: 1.5 }] })).toEqual([
      'attribute "rule[0].days": expected integer, got number',
    ]);
    expect(problems({ type: "object" }, [])).toEqual(["the inputs: expected object, got list"]);
    const optional = { anyOf: [{ type: "null" }, { type: "array", items: { type: "string" } }] };
    expect(problems({ type: "object", properties: { names: optional } }, { names: 3 })).toEqual([
      'attribute "names": expected list, got integer',
    ]);
  });

  it("counts items, lists allowed values and drops duplicate lines", () => {
    expect(problems(schema, { bucket: "b", rule: [] })).toEqual([
      'attribute "rule": expected at least 1 item(s), got 0',
    ]);
    expect(problems(schema, { bucket: "b", rule: [{}, {}, {}] })).toEqual([
      'attribute "rule": expected at most 2 item(s), got 3',
    ]);
    expect(problems(schema, { bucket: "b", acl: "open" })).toEqual([
      'attribute "acl": expected one of ["private","public-read"]',
    ]);
    expect(problems(schema, { bucket: "b", mode: "data" })).toEqual(['attribute "mode": expected "managed"']);
    const union = {
      anyOf: [
        { type: "string", minLength: 3 },
        { type: "string", pattern: "^x" },
      ],
    };
    expect(problems({ type: "object", properties: { a: union, b: union } }, { a: "", b: "" })).toEqual([
      'attribute "a": must NOT have fewer than 3 characters',
      'attribute "a": must match pattern "^x"',
      'attribute "b": must NOT have fewer than 3 characters',
      'attribute "b": must match pattern "^x"',
    ]);
  });
});
