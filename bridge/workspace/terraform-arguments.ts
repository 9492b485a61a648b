// A resource's inputs as Terraform's JSON syntax takes them. For an attribute or a block, null means "not set":
// it is left out (Terraform's JSON syntax refuses a null block). Inside an attribute's value null is a value, and
// a cty object must name every member (codegen/model/object-members.ts: Terraform's JSON syntax refuses one left
// out, "attributes … are required"), so the members a request leaves out are filled in as null and the nulls it
// gives are kept.
import type { Field, Struct, Ty } from "../../opentofu/provider/model.js";
import { LosslessNumber } from "../json/exact-json.js";
import { withoutNulls } from "./terraform-json.js";

type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord =>
  value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof LosslessNumber);

/** `inputs` without the reserved keys; names the schema does not know (refused by validation before) stay as given. */
export function terraformArguments(block: Struct, inputs: JsonRecord): JsonRecord {
  return blockValue(block, inputs);
}

function blockValue(struct: Struct, value: JsonRecord): JsonRecord {
  const fields = new Map(struct.fields.map((f) => [f.name, f]));
  const out: JsonRecord = {};
  for (const [name, inner] of Object.entries(value)) {
    if (inner === null) continue;
    const field = fields.get(name);
    out[name] = field ? fieldValue(field, inner) : withoutNulls(inner);
  }
  return out;
}

function fieldValue(field: Field, value: unknown): unknown {
  // Blocks and nested attribute types hold attributes, whose null is "not set" again.
  const structural = field.origin === "block" || field.nesting !== undefined;
  return structural ? nestedValue(field.type, value) : objectValue(field.type, value);
}

function nestedValue(ty: Ty, value: unknown): unknown {
  if (ty.kind === "struct" && isRecord(value)) return blockValue(ty.struct, value);
  if ((ty.kind === "list" || ty.kind === "set") && Array.isArray(value))
    return value.map((v) => nestedValue(ty.element, v));
  if (ty.kind === "map" && isRecord(value)) return mapValues(value, (v) => nestedValue(ty.element, v));
  return value;
}

function objectValue(ty: Ty, value: unknown): unknown {
  if (value === null) return null;
  switch (ty.kind) {
    case "struct": {
      if (!isRecord(value)) return value;
      const out: JsonRecord = { ...value };
      for (const member of ty.struct.fields) out[member.name] = objectValue(member.type, value[member.name] ?? null);
      return out;
    }
    case "list":
    case "set":
      return Array.isArray(value) ? (value as unknown[]).map((v) => objectValue(ty.element, v)) : value;
    case "tuple":
      return Array.isArray(value)
        ? (value as unknown[]).map((v, i) => (ty.elements[i] ? objectValue(ty.elements[i], v) : v))
        : value;
    case "map":
      return isRecord(value) ? mapValues(value, (v) => objectValue(ty.element, v)) : value;
    case "dynamic":
      // No type to say what a null inside means; as before, it is "not set".
      return withoutNulls(value);
    default:
      return value;
  }
}

function mapValues(record: JsonRecord, f: (value: unknown) => unknown): JsonRecord {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(record)) out[key] = f(value);
  return out;
}
