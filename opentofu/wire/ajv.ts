// The Ajv setup the generated input schemas are written for: strict draft-07, union types (`["string","null"]`),
// the `x-sensitive` annotation declared, every error reported.
import { Ajv, type Options } from "ajv";
import type { JsonSchema } from "./json-schema.js";

export function createInputAjv(options: Options = {}): Ajv {
  return new Ajv({ strict: true, allowUnionTypes: true, allErrors: true, keywords: ["x-sensitive"], ...options });
}

/**
 * An Ajv that knows a generated provider's shared meta-arguments (`meta-arguments.schema.json`), so that the
 * types' schemas can refer to them. Each is added as a schema of its own and refs are not inlined: Ajv then
 * compiles the large provider configuration schema once, not again for every type (AWS: ~50 ms each).
 */
export function createGeneratedInputAjv(metaArgumentsSchema: JsonSchema, options: Options = {}): Ajv {
  const ajv = createInputAjv({ inlineRefs: false, ...options });
  for (const schema of Object.values(metaArgumentsSchema.definitions as Record<string, JsonSchema>))
    ajv.addSchema(schema);
  return ajv;
}
