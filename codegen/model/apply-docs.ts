// Fills the descriptions a schema lacks from the provider's docs (schema/provider-docs.ts). A description the
// schema has always wins: it is the provider's own word for this version.
import type { TypeDocs } from "../schema/provider-docs.js";
import type { Field, Struct, Ty } from "../../opentofu/provider/model.js";

export function applyDocs(root: Struct, docs: TypeDocs): void {
  if (!root.description && docs.summary) root.description = docs.summary;
  describeFields(root, docs.fields);
  const byName = new Map<string, Struct[]>();
  const byPath = new Map<string, Struct>();
  collectStructs(root, [], byName, byPath);
  for (const [key, fields] of Object.entries(docs.blocks)) {
    const candidates = key.includes(".")
      ? [byPath.get(key)].filter((s): s is Struct => s !== undefined)
      : (byName.get(key) ?? []);
    // A block name used in several places of one type (`filter`, `rule`…) cannot tell which one the docs mean.
    if (candidates.length === 1) describeFields(candidates[0]!, fields);
  }
}

function describeFields(struct: Struct, descriptions: Record<string, string>): void {
  for (const field of struct.fields) {
    const text = descriptions[field.name];
    if (!field.description && text) field.description = text;
  }
}

function collectStructs(
  struct: Struct,
  path: string[],
  byName: Map<string, Struct[]>,
  byPath: Map<string, Struct>,
): void {
  for (const field of struct.fields) {
    const child = structOf(field);
    if (!child) continue;
    const childPath = [...path, field.name];
    byName.set(field.name, [...(byName.get(field.name) ?? []), child]);
    byPath.set(childPath.join("."), child);
    collectStructs(child, childPath, byName, byPath);
  }
}

function structOf(field: Field): Struct | undefined {
  let ty: Ty = field.type;
  while (ty.kind === "list" || ty.kind === "set" || ty.kind === "map") ty = ty.element;
  return ty.kind === "struct" ? ty.struct : undefined;
}
