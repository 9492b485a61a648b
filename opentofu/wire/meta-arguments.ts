// The reserved input keys of the wire contract (CONTRIBUTING.md): Terraform meta-arguments that sit beside a
// resource's own arguments, and `_member` (the NixOps4 member path the generated Nix sets, which the bridge takes
// off before anything reaches the engine), so no provider attribute may use their names.
import type { Field, Struct } from "../provider/model.js";
import { MEMBER_KEY, META_ARGUMENTS, RESERVED_INPUTS, type MetaArgument, type ResourceMode } from "./wire-contract.js";

export function metaArgumentsOf(kind: ResourceMode): readonly MetaArgument[] {
  return kind === "managed" ? META_ARGUMENTS : ["provider"];
}

export class ReservedNameError extends Error {}

/** Every reserved name is checked for both kinds: the keys must stay free for whatever Terraform adds later. */
export function checkReservedNames(root: Struct, kind: ResourceMode, type: string): void {
  for (const field of root.fields) {
    if ((RESERVED_INPUTS as readonly string[]).includes(field.name)) {
      throw new ReservedNameError(
        `${kind === "data" ? "data source" : "resource"} ${type}: ${field.origin} "${field.name}" collides with the ` +
          `reserved input "${field.name}" (${field.name === MEMBER_KEY ? "the NixOps4 member path" : "a Terraform meta-argument"} in the input wire contract); cannot generate`,
      );
    }
  }
}

/** `lifecycle` as Terraform means it, as a struct so every emitter renders it like any other input. */
export const LIFECYCLE_STRUCT: Struct = {
  description: "Terraform's lifecycle meta-argument.",
  deprecated: false,
  fields: [
    optionalAttribute("prevent_destroy", { kind: "bool" }, "Refuse any destroy or replacement of this resource."),
    optionalAttribute(
      "create_before_destroy",
      { kind: "bool" },
      "Create the replacement before destroying the old object.",
    ),
    optionalAttribute(
      "ignore_changes",
      { kind: "list", element: { kind: "string" } },
      "Attribute names whose changes are ignored.",
    ),
  ],
};

export const IMPORT_STRUCT: Struct = {
  description: "Adopt an existing object with this import ID on create instead of creating one.",
  deprecated: false,
  fields: [
    {
      ...optionalAttribute("id", { kind: "string" }, "The provider's import ID of the existing object."),
      required: true,
      optional: false,
    },
  ],
};

/** The three meta-arguments with the struct each is typed by, in the order every output lists them. */
export function metaArgumentStructs(
  providerConfig: Struct,
): { name: MetaArgument; struct: Struct; description: string }[] {
  return [
    {
      name: "provider",
      struct: providerConfig,
      description: "Configuration of the provider for this resource (Terraform's provider block).",
    },
    { name: "lifecycle", struct: LIFECYCLE_STRUCT, description: LIFECYCLE_STRUCT.description! },
    { name: "import", struct: IMPORT_STRUCT, description: IMPORT_STRUCT.description! },
  ];
}

export function optionalAttribute(name: string, type: Field["type"], description?: string): Field {
  return {
    name,
    origin: "attribute",
    type,
    required: false,
    optional: true,
    computed: false,
    sensitive: false,
    writeOnly: false,
    deprecated: false,
    description,
  };
}
