// Turns the engine's schema JSON (blocks, attributes, cty types, nested attribute types) into the codegen model.
import type { Field, Struct, Ty } from "./model.js";
import type { CtyType, NestedAttributeType, NestingMode, SchemaAttribute, SchemaBlock } from "./provider-schema.js";

export class SchemaReadError extends Error {}

export function readBlock(block: SchemaBlock, path: string): Struct {
  const fields: Field[] = [];
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    fields.push(readAttribute(name, attribute, `${path}.${name}`));
  }
  for (const [name, blockType] of Object.entries(block.block_types ?? {})) {
    const struct = readBlock(blockType.block, `${path}.${name}`);
    fields.push({
      name,
      origin: "block",
      nesting: blockType.nesting_mode,
      minItems: blockType.min_items || undefined,
      maxItems: blockType.max_items || undefined,
      type: wrapNesting(blockType.nesting_mode, struct, `${path}.${name}`),
      required: false,
      optional: true,
      computed: false,
      sensitive: false,
      writeOnly: false,
      deprecated: blockType.block.deprecated === true,
      description: blockType.block.description || undefined,
    });
  }
  return { fields, description: block.description || undefined, deprecated: block.deprecated === true };
}

function readAttribute(name: string, attribute: SchemaAttribute, path: string): Field {
  let type: Ty;
  let nested: NestedAttributeType | undefined;
  if (attribute.nested_type) {
    nested = attribute.nested_type;
    const struct: Struct = { fields: [], deprecated: false };
    for (const [memberName, member] of Object.entries(nested.attributes)) {
      struct.fields.push(readAttribute(memberName, member, `${path}.${memberName}`));
    }
    type = wrapNesting(nested.nesting_mode, struct, path);
  } else if (attribute.type !== undefined) {
    type = readCtyType(attribute.type, path);
  } else {
    throw new SchemaReadError(`${path}: attribute has neither "type" nor "nested_type"`);
  }
  return {
    name,
    origin: "attribute",
    nesting: nested?.nesting_mode,
    minItems: nested?.min_items || undefined,
    maxItems: nested?.max_items || undefined,
    type,
    required: attribute.required === true,
    optional: attribute.optional === true,
    computed: attribute.computed === true,
    sensitive: attribute.sensitive === true,
    writeOnly: attribute.write_only === true,
    deprecated: attribute.deprecated === true,
    description: attribute.description || undefined,
  };
}

function wrapNesting(mode: NestingMode, struct: Struct, path: string): Ty {
  const structTy: Ty = { kind: "struct", struct };
  switch (mode) {
    case "single":
    case "group":
      return structTy;
    case "list":
    case "set":
    case "map":
      return { kind: mode, element: structTy };
    default:
      throw new SchemaReadError(`${path}: unknown nesting mode ${JSON.stringify(mode)}`);
  }
}

export function readCtyType(type: CtyType, path: string): Ty {
  if (typeof type === "string") {
    if (type === "string" || type === "number" || type === "bool" || type === "dynamic") return { kind: type };
    throw new SchemaReadError(`${path}: unknown primitive type ${JSON.stringify(type)}`);
  }
  if (!Array.isArray(type)) throw new SchemaReadError(`${path}: unreadable type ${JSON.stringify(type)}`);
  const [kind] = type;
  if ((kind === "list" || kind === "set" || kind === "map") && type.length === 2) {
    return { kind, element: readCtyType(type[1], `${path}[]`) };
  }
  if (kind === "tuple" && Array.isArray(type[1])) {
    return { kind: "tuple", elements: type[1].map((t, i) => readCtyType(t, `${path}[${i}]`)) };
  }
  if (kind === "object" && type[1] && typeof type[1] === "object" && !Array.isArray(type[1])) {
    const optional = new Set<string>(type[2] ?? []);
    const fields: Field[] = Object.entries(type[1]).map(([name, memberType]) => ({
      name,
      origin: "member",
      type: readCtyType(memberType, `${path}.${name}`),
      required: !optional.has(name),
      optional: optional.has(name),
      computed: false,
      sensitive: false,
      writeOnly: false,
      deprecated: false,
    }));
    return { kind: "struct", struct: { fields, deprecated: false } };
  }
  throw new SchemaReadError(`${path}: unknown type ${JSON.stringify(type)}`);
}
