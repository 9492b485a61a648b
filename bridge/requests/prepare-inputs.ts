// Request validation: the wire type names a resource or data source of this provider, the inputs match its
// schema, and the reserved keys (provider, lifecycle, import) are split from the Terraform arguments.
import type { ProviderSchemaEntry, TypeSchema } from "../../opentofu/provider/provider-schema.js";
import type { JsonObject } from "../protocol/messages.js";
import type { ProviderTypes } from "../schema/provider-types.js";
import { addProviderCredentials, addSensitiveByBlock, providerCredentialPaths } from "../secrets/sensitive-values.js";
import type { Redactor } from "../secrets/redactor.js";
import { readBlock } from "../../opentofu/provider/read-schema.js";
import type { WorkspaceResource } from "../workspace/main-tf.js";
import { terraformArguments } from "../workspace/terraform-arguments.js";
import { withoutNulls } from "../workspace/terraform-json.js";
import { suggestion } from "./input-errors.js";
import type { InputValidator } from "./validate-inputs.js";
import {
  DATA_WIRE_PREFIX,
  parseWireType,
  type Lifecycle,
  type ResourceMode,
} from "../../opentofu/wire/wire-contract.js";

export class UnknownTypeError extends Error {}

export interface PreparedResource {
  /** The wire type, for messages. */
  label: string;
  resource: WorkspaceResource;
  providerConfig: Record<string, unknown>;
  /** Where providerConfig holds credentials: the workspace passes them to the engine through its environment. */
  providerCredentials: (string | number)[][];
  typeSchema: TypeSchema;
}

/** The provider configuration of a request's inputs as prepareInputs takes it, if it is an object (validation says
 * what is wrong with it otherwise). */
export function providerConfigOf(inputs: JsonObject): Record<string, unknown> | undefined {
  const config = withoutNulls(inputs.provider ?? {});
  return config !== null && typeof config === "object" && !Array.isArray(config)
    ? (config as Record<string, unknown>)
    : undefined;
}

export async function prepareInputs(
  wireType: string,
  inputs: JsonObject,
  types: ProviderTypes,
  validator: InputValidator,
  redactor: Redactor,
): Promise<PreparedResource> {
  const { mode, type } = parseWireType(wireType);
  const typeSchema = await types.typeSchema(mode, type);
  if (!typeSchema) throw unknownType(wireType, mode, type, types);

  // Secrets are registered before validation so that no error message can echo them.
  const providerConfig = (withoutNulls(inputs.provider ?? {}) ?? {}) as Record<string, unknown>;
  addProviderCredentials(redactor, types.providerBlock, providerConfig);
  addSensitiveByBlock(redactor, typeSchema.block, inputs);

  const entry: ProviderSchemaEntry = {
    provider: { version: 0, block: types.providerBlock },
    [mode === "data" ? "data_source_schemas" : "resource_schemas"]: { [type]: typeSchema },
  };
  await validator.validate(
    wireType,
    [types.providerBlock, typeSchema],
    async () => {
      const { inputJsonSchema } = await import("../../opentofu/wire/json-schema.js");
      return inputJsonSchema(entry, mode, type);
    },
    inputs,
  );

  const { provider: _provider, lifecycle, import: importBlock, ...rest } = inputs;
  const meta = withoutNulls({ lifecycle, import: importBlock }) as JsonObject;
  const importId = (meta.import as { id?: string } | undefined)?.id;
  return {
    label: wireType,
    resource: {
      mode,
      type,
      args: terraformArguments(readBlock(typeSchema.block, type), rest),
      lifecycle: meta.lifecycle as Lifecycle | undefined,
      importId,
    },
    providerConfig,
    providerCredentials: providerCredentialPaths(types.providerBlock, providerConfig),
    typeSchema,
  };
}

function unknownType(wireType: string, mode: ResourceMode, type: string, types: ProviderTypes): UnknownTypeError {
  const near = suggestion(type, types.typeNames(mode));
  const other = types.typeNames(mode === "data" ? "managed" : "data").includes(type);
  const kind = mode === "data" ? "data source" : "resource type";
  let hint = near ? ` (did you mean "${mode === "data" ? DATA_WIRE_PREFIX : ""}${near}"?)` : "";
  if (other)
    hint =
      mode === "data"
        ? ` (there is a resource type "${type}")`
        : ` (there is a data source "${DATA_WIRE_PREFIX}${type}")`;
  return new UnknownTypeError(`unknown ${kind} "${wireType}": the provider has no ${kind} named "${type}"${hint}`);
}
