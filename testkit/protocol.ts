// Validates protocol messages against the upstream NixOps4 JSON Schemas vendored in schemas/nixops4 (main, plus
// the proposed destroy and import schemas; see its README for where they come from and how drift is caught).
import Ajv04 from "ajv-draft-04";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo-root.js";

export const VENDORED_PROTOCOL_DIR = join(repoRoot, "schemas", "nixops4");
export const protocolDir = process.env.NIXOPS4_PROTOCOL_DIR ?? VENDORED_PROTOCOL_DIR;

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

function validatorFor(file: string, definition: string): Validate {
  const schema = JSON.parse(readFileSync(join(protocolDir, file), "utf8"));
  const ajv = new (
    Ajv04 as unknown as new (o: object) => {
      addSchema(s: object, key?: string): void;
      getSchema(ref: string): Validate | undefined;
    }
  )({ allErrors: true, strict: false });
  // The schemas refer to the JSON Patch schema online; tests run offline, so an array schema stands in for it.
  ajv.addSchema(
    { id: "https://json.schemastore.org/json-patch.json#", type: "array" },
    "https://json.schemastore.org/json-patch.json",
  );
  // Draft-04 names its identifier `id`, not `$id`, so the schema is registered under a key of our own.
  ajv.addSchema(schema, "protocol");
  const validate = ajv.getSchema(`protocol#/definitions/${definition}`);
  if (!validate) throw new Error(`no definition ${definition} in ${file}`);
  return validate;
}

const loadValidators = () => ({
  main: {
    request: validatorFor("resource-schema-v0.json", "Request"),
    response: validatorFor("resource-schema-v0.json", "Response"),
  },
  destroy: {
    request: validatorFor("proposed/resource-schema-v0-destroy.json", "Request"),
    response: validatorFor("proposed/resource-schema-v0-destroy.json", "Response"),
  },
  import: {
    request: validatorFor("proposed/resource-schema-v0-import.json", "Request"),
    response: validatorFor("proposed/resource-schema-v0-import.json", "Response"),
  },
});
let validators: ReturnType<typeof loadValidators> | undefined;
let stateValidators: { State: Validate; StateEvent: Validate } | undefined;

/** Throws with ajv's errors when the value is not a State document or StateEvent of state-schema-v0.json. */
export function assertValidState(definition: "State" | "StateEvent", value: unknown): void {
  stateValidators ??= {
    State: validatorFor("state-schema-v0.json", "State"),
    StateEvent: validatorFor("state-schema-v0.json", "StateEvent"),
  };
  const validate = stateValidators[definition];
  if (!validate(value))
    throw new Error(
      `not a ${definition} of state-schema-v0.json: ${JSON.stringify(validate.errors)}\n${JSON.stringify(value).slice(0, 500)}`,
    );
}

function schemaFor(message: object): "main" | "destroy" | "import" {
  const key = Object.keys(message)[0] ?? "";
  if (key.startsWith("destroy")) return "destroy";
  if (key.startsWith("import")) return "import";
  return "main";
}

/** Throws with ajv's errors when the message is not a valid response of the upstream (or proposed) schema. */
export function assertValidResponse(message: object): void {
  validators ??= loadValidators();
  const validate = validators[schemaFor(message)].response;
  if (!validate(message)) {
    throw new Error(
      `response does not match the NixOps4 protocol schema: ${JSON.stringify(validate.errors)}\n${JSON.stringify(message).slice(0, 500)}`,
    );
  }
}

export function assertValidRequest(message: object): void {
  validators ??= loadValidators();
  const validate = validators[schemaFor(message)].request;
  if (!validate(message)) {
    throw new Error(`request does not match the NixOps4 protocol schema: ${JSON.stringify(validate.errors)}`);
  }
}
