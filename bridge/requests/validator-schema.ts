// The input JSON Schema as the bridge compiles it into a validator: the same rules, written so that Ajv's code
// stays small. Ajv emits a block of code per named property, and every bridge process compiles the validator of
// its type afresh, so a block with hundreds of attributes of one kind costs each process its size in compile
// time: the AWS provider's `endpoints` block (some 300 optional strings) was two thirds of every AWS validator,
// ~280 KB of code and ~40 ms of CPU per operation. An object whose many properties all take the same values is
// checked instead as "the names are one of these, every value is this": one loop. Annotations (description,
// x-sensitive, deprecated, writeOnly) do not change what is valid, so they are left out of the comparison; the
// redaction of sensitive values never reads them from here (secrets/sensitive-values.ts walks the provider
// schema). input-errors.ts words an unknown name under such an object like any other unknown attribute.
import type { JsonSchema } from "../../opentofu/wire/json-schema.js";

/** Below this, per-property code is small enough not to matter. */
export const COMPACT_FROM = 8;

const ANNOTATIONS = new Set(["description", "title", "x-sensitive", "deprecated", "writeOnly", "$comment"]);

function validationOnly(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema;
  const kept = Object.fromEntries(Object.entries(schema).filter(([key]) => !ANNOTATIONS.has(key)));
  // annotate() wraps a bare $ref in allOf to annotate it; without the annotation that is the $ref itself.
  const keys = Object.keys(kept);
  if (keys.length === 1 && keys[0] === "allOf" && Array.isArray(kept.allOf) && kept.allOf.length === 1)
    return validationOnly(kept.allOf[0]);
  return kept;
}

/** `schema` with every closed object of at least COMPACT_FROM uniform properties rewritten as names + values. */
export function compactForValidation(schema: JsonSchema): JsonSchema {
  return compact(schema) as JsonSchema;
}

function compact(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compact);
  if (typeof node !== "object" || node === null) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    // Values of these are data, not schemas.
    out[key] = key === "enum" || key === "const" || key === "default" || key === "examples" ? value : compact(value);
  }
  const properties = out.properties as Record<string, unknown> | undefined;
  if (!properties || out.additionalProperties !== false || "patternProperties" in out || "propertyNames" in out)
    return out;
  const names = Object.keys(properties);
  if (names.length < COMPACT_FROM) return out;
  const bodies = new Set(names.map((name) => JSON.stringify(validationOnly(properties[name]))));
  if (bodies.size !== 1) return out;
  delete out.properties;
  out.propertyNames = { enum: names };
  out.additionalProperties = JSON.parse([...bodies][0]!) as unknown;
  return out;
}
