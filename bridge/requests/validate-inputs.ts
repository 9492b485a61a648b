// Checks a resource's inputs against the JSON Schema generated from the provider schema, before anything runs.
// Validators are compiled lazily, once per type and process: an operation uses one type, and AWS has thousands.
import type { ValidateFunction } from "ajv";
import { createInputAjv } from "../../codegen/emit-json-schema/ajv.js";
import { toPlainJson } from "../json/exact-json.js";
import { describeInputErrors } from "./input-errors.js";

export class InputValidationError extends Error {
  constructor(
    readonly resourceType: string,
    readonly problems: string[],
  ) {
    super(`${resourceType}: invalid inputs:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export class InputValidator {
  // verbose: errors carry the failing sub-schema, which holds the valid names for "did you mean".
  private readonly ajv = createInputAjv({ verbose: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  validate(resourceType: string, schema: () => object, inputs: unknown): void {
    let validate = this.compiled.get(resourceType);
    if (!validate) {
      validate = this.ajv.compile(schema());
      this.compiled.set(resourceType, validate);
    }
    if (validate(toPlainJson(inputs))) return;
    throw new InputValidationError(resourceType, describeInputErrors(validate.errors ?? []));
  }
}
