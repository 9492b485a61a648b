// The JSON document printed by `tofu providers schema -json` (format_version "1.0"),
// typed as far as the bridge and the codegen read it. Field names are the engine's own.

/** A cty type as the engine serialises it: "string", ["list", T], ["object", {...}, optional?], ["tuple", [...]]. */
export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | ["list" | "set" | "map", CtyType]
  | ["object", Record<string, CtyType>]
  | ["object", Record<string, CtyType>, string[]]
  | ["tuple", CtyType[]];

export type NestingMode = "single" | "group" | "list" | "set" | "map";

export interface NestedAttributeType {
  attributes: Record<string, SchemaAttribute>;
  nesting_mode: NestingMode;
  min_items?: number;
  max_items?: number;
}

export interface SchemaAttribute {
  type?: CtyType;
  nested_type?: NestedAttributeType;
  description?: string;
  description_kind?: "plain" | "markdown";
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  write_only?: boolean;
  deprecated?: boolean;
}

export interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, SchemaBlockType>;
  description?: string;
  description_kind?: "plain" | "markdown";
  deprecated?: boolean;
}

export interface SchemaBlockType {
  nesting_mode: NestingMode;
  block: SchemaBlock;
  min_items?: number;
  max_items?: number;
}

export interface TypeSchema {
  version: number;
  block: SchemaBlock;
}

export interface ProviderSchemaEntry {
  provider: TypeSchema;
  resource_schemas?: Record<string, TypeSchema>;
  data_source_schemas?: Record<string, TypeSchema>;
  ephemeral_resource_schemas?: Record<string, TypeSchema>;
  functions?: Record<string, unknown>;
}

export interface ProvidersSchemaDocument {
  format_version: string;
  /** Keyed by the full provider address, e.g. "registry.terraform.io/hashicorp/aws". */
  provider_schemas?: Record<string, ProviderSchemaEntry>;
}
