// The wire contract (README "Wire contract", CONTRIBUTING.md): the names the bridge reads in a request and the
// codegen writes into the generated modules. Both sides import them from here, so they cannot drift apart.

/** Terraform's own word for the two kinds of resource (the `mode` of its state and plan). */
export type ResourceMode = "managed" | "data";

/** Data sources travel as `data.<name>` so that they cannot collide with a resource type of the same name. */
export const DATA_WIRE_PREFIX = "data.";

/** In Nix, data sources share the flat `resourceTypes` set with resources; this prefix keeps them apart. */
export const DATA_NIX_PREFIX = "data_";

/** The `type` the bridge receives: the resource type, or `data.<name>` for a data source (as in Terraform). */
export function wireTypeOf(mode: ResourceMode, type: string): string {
  return mode === "data" ? `${DATA_WIRE_PREFIX}${type}` : type;
}

export function parseWireType(wireType: string): { mode: ResourceMode; type: string } {
  return wireType.startsWith(DATA_WIRE_PREFIX)
    ? { mode: "data", type: wireType.slice(DATA_WIRE_PREFIX.length) }
    : { mode: "managed", type: wireType };
}

export function nixNameOf(mode: ResourceMode, type: string): string {
  return mode === "data" ? `${DATA_NIX_PREFIX}${type}` : type;
}

/** Reserved input keys that are Terraform meta-arguments (so no provider attribute can use their names). */
export const META_ARGUMENTS = ["provider", "lifecycle", "import"] as const;
export type MetaArgument = (typeof META_ARGUMENTS)[number];

/**
 * The reserved input key carrying the NixOps4 member path of the resource (`config.absoluteMemberPath`, e.g.
 * `["members", "bucket"]`), or null/absent for a plain JSON caller. The bridge keys its records and locks by it
 * and strips it before validation; it never reaches Terraform.
 */
export const MEMBER_KEY = "_member";

/** Every key of `inputProperties` that is not a Terraform argument of the resource. */
export const RESERVED_INPUTS = [...META_ARGUMENTS, MEMBER_KEY] as const;

/** `lifecycle` as Terraform means it; `prevent_destroy = true` is the opt-out from destruction. */
export interface Lifecycle {
  prevent_destroy?: boolean;
  create_before_destroy?: boolean;
  ignore_changes?: string[];
}

/** The outputProperties key that carries the state record. Not a Terraform attribute name (leading underscore). */
export const STATE_KEY = "_opentofu";
