// The Ajv setup the generated input schemas are written for: strict draft-07, union types (`["string","null"]`),
// the `x-sensitive` annotation declared, every error reported.
import { Ajv, type Options } from "ajv";
import type { JsonSchema } from "./json-schema.js";

export function createInputAjv(options: Options = {}): Ajv {
  return new Ajv({ strict: true, allowUnionTypes: true, allErrors: true, keywords: ["x-sensitive"], ...options });
}

/** An Ajv that already knows a generated provider's shared meta-arguments schema (`meta-arguments.schema.json`). */
export function createGeneratedInputAjv(metaArgumentsSchema: JsonSchema, options: Options = {}): Ajv {
  const ajv = createInputAjv(options);
  ajv.addSchema(metaArgumentsSchema);
  return ajv;
}
