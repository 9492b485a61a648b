import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { describeInputErrors } from "./input-errors.js";
import { COMPACT_FROM, compactForValidation } from "./validator-schema.js";

const names = Array.from({ length: COMPACT_FROM }, (_, i) => `service${i}`);
const uniform = (annotate: (name: string) => object) => ({
  type: "object",
  properties: Object.fromEntries(names.map((n) => [n, { type: ["string", "null"], ...annotate(n) }])),
  additionalProperties: false,
});

describe("compactForValidation", () => {
  it("rewrites a closed object of uniform properties as names + one value schema, annotations aside", () => {
    const schema = uniform((n) => ({
      description: `the ${n} endpoint`,
      ...(n === "service1" ? { "x-sensitive": true } : {}),
    }));
    expect(compactForValidation(schema)).toEqual({
      type: "object",
      propertyNames: { enum: names },
      additionalProperties: { type: ["string", "null"] },
    });
  });

  it("accepts and refuses exactly what the original accepts and refuses", () => {
    const original = {
      type: "object",
      properties: { endpoints: uniform(() => ({})), region: { type: "string" } },
      required: ["region"],
      additionalProperties: false,
    };
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
    const before = ajv.compile(original);
    const after = ajv.compile(compactForValidation(original));
    const cases: unknown[] = [
      { region: "r" },
      { region: "r", endpoints: { service0: "http://x", service3: null } },
      { region: "r", endpoints: { service0: 3 } },
      { region: "r", endpoints: { servicex: "http://x" } },
      { region: "r", endpoints: "x" },
      { endpoints: {} },
    ];
    expect(cases.map((c) => after(c))).toEqual(cases.map((c) => before(c)));
    expect(cases.map((c) => after(c))).toEqual([true, true, false, false, false, false]);
  });

  it("leaves objects alone that are open, small, or mixed", () => {
    const open = { ...uniform(() => ({})), additionalProperties: true };
    const small = { type: "object", properties: { a: { type: "string" } }, additionalProperties: false };
    const mixed = uniform(() => ({}));
    (mixed.properties as Record<string, object>).service0 = { type: "number" };
    for (const schema of [open, small, mixed]) expect(compactForValidation(schema)).toEqual(schema);
  });

  it("treats an annotated $ref (allOf of one) as the $ref itself, and never rewrites enum data", () => {
    const refs = {
      type: "object",
      properties: Object.fromEntries(
        names.map((n, i) => [
          n,
          i % 2 ? { allOf: [{ $ref: "#/definitions/x" }], description: n } : { $ref: "#/definitions/x" },
        ]),
      ),
      additionalProperties: false,
      definitions: { x: { enum: [{ properties: {}, additionalProperties: false }] } },
    };
    const compacted = compactForValidation(refs);
    expect(compacted.additionalProperties).toEqual({ $ref: "#/definitions/x" });
    expect(compacted.definitions).toEqual(refs.definitions);
  });

  it("words an unknown name under a compacted object as the original would", () => {
    const original = { type: "object", properties: { endpoints: uniform(() => ({})) }, additionalProperties: false };
    const messages = (schema: object) => {
      const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true, verbose: true });
      const validate = ajv.compile(schema);
      expect(validate({ endpoints: { servce2: "http://x", service1: 3 } })).toBe(false);
      return describeInputErrors(validate.errors ?? []);
    };
    expect(messages(compactForValidation(original))).toEqual(messages(original));
    expect(messages(original)).toEqual([
      'unknown attribute "endpoints.servce2" (did you mean "endpoints.service2"?)',
      'attribute "endpoints.service1": expected string, got integer',
    ]);
  });
});
