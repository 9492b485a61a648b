// The codegen's own picture of a schema, neutral to every output format: one tree per resource type in which
// attributes, nested attribute types, blocks and cty object members are all fields of structs.
import type { NestingMode } from "./provider-schema.js";

export type PrimitiveKind = "string" | "number" | "bool" | "dynamic";

export type Ty =
  | { kind: PrimitiveKind }
  | { kind: "list" | "set" | "map"; element: Ty }
  | { kind: "tuple"; elements: Ty[] }
  | { kind: "struct"; struct: Struct };

export interface Field {
  /** The Terraform name; it is also the wire key, never renamed. */
  name: string;
  /** `member` = an attribute of a cty object type (no flags of its own beyond optional). */
  origin: "attribute" | "block" | "member";
  /** Blocks and nested attribute types: how their struct is repeated. */
  nesting?: NestingMode;
  minItems?: number;
  maxItems?: number;
  type: Ty;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  writeOnly: boolean;
  deprecated: boolean;
  description?: string;
}

export interface Struct {
  fields: Field[];
  description?: string;
  deprecated: boolean;
}
