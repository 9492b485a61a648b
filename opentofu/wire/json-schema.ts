// Inputs → JSON Schema (draft-07), what the bridge validates requests with. Repeated structs become
// `definitions`; the meta-argument inputs (`provider`, `lifecycle`, `import`) point at their schemas, either
// embedded (one self-contained document) or in a shared file whose schemas carry their own `$id`s.
import { checkReservedNames, metaArgumentsOf, metaArgumentStructs } from "./meta-arguments.js";
import type { Field, Struct } from "../provider/model.js";
import { MEMBER_KEY, type ResourceMode } from "./wire-contract.js";
import { readBlock } from "../provider/read-schema.js";
import type { ProviderSchemaEntry } from "../provider/provider-schema.js";
import { inputView, type View, type ViewField, type ViewStruct, type VTy } from "./views.js";

export type JsonSchema = { [keyword: string]: unknown };

export const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
/** Definitions of the meta-arguments schema; the dot keeps them apart from struct names taken from Terraform. */
const META_PREFIX = "meta.";

export function metaArgumentsBaseId(address: string, version: string): string {
  return `https://nixops4-resources-opentofu.invalid/${address}/${version}/meta-arguments`;
}

/** One meta-argument's schema; its repeated structs go into `definitions` under `prefix`. */
function metaArgumentSchema(struct: Struct, definitions: Record<string, JsonSchema>, prefix: string): JsonSchema {
  return new DefinitionWriter(definitions, prefix).root(
    inputView(struct, "provider", ["provider", "lifecycle", "import"]),
  );
}

/**
 * The shared file: the schemas of `provider`, `lifecycle` and `import`, each a complete schema with its own `$id`
 * (`<baseId>/<name>`) for Ajv to add once (`createGeneratedInputAjv`) and compile once for all types.
 */
export function metaArgumentsJsonSchema(providerConfig: Struct, baseId: string): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  for (const { name, struct } of metaArgumentStructs(providerConfig)) {
    const own: Record<string, JsonSchema> = {};
    const schema = metaArgumentSchema(struct, own, "");
    definitions[name] = {
      $id: `${baseId}/${name}`,
      ...schema,
      ...(Object.keys(own).length > 0 ? { definitions: sortKeys(own) } : {}),
    };
  }
  return {
    $schema: DRAFT_07,
    title: "Terraform meta-arguments: provider configuration, lifecycle, import",
    definitions,
  };
}

/** The meta-argument schemas as definitions of the document that embeds them, all named `meta.*`. */
function embeddedMetaDefinitions(providerConfig: Struct): Record<string, JsonSchema> {
  const definitions: Record<string, JsonSchema> = {};
  for (const { name, struct } of metaArgumentStructs(providerConfig)) {
    definitions[META_PREFIX + name] = metaArgumentSchema(struct, definitions, META_PREFIX);
  }
  return definitions;
}

/**
 * The input schema of one type. The meta-argument inputs refer either to the shared meta-arguments schemas by
 * `$id` (`{ shared: baseId }`) or to copies embedded in this document (`{ embed: providerConfig }`).
 */
export function typeInputJsonSchema(options: {
  inputs: View;
  kind: ResourceMode;
  type: string;
  meta: { shared: string } | { embed: Struct };
}): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const writer = new DefinitionWriter(definitions, "");
  const root = writer.root(options.inputs);
  const properties = root.properties as Record<string, JsonSchema>;
  const meta = options.meta;
  for (const name of metaArgumentsOf(options.kind)) {
    const $ref = "shared" in meta ? `${meta.shared}/${name}` : `#/definitions/${META_PREFIX}${name}`;
    properties[name] = { anyOf: [{ type: "null" }, { $ref }] };
  }
  properties[MEMBER_KEY] = {
    type: ["array", "null"],
    items: { type: "string" },
    description: "The NixOps4 member path of the resource (set by the generated Nix); never passed to the engine.",
  };
  if ("embed" in meta) Object.assign(definitions, embeddedMetaDefinitions(meta.embed));
  return {
    $schema: DRAFT_07,
    title: `${options.kind === "data" ? "data source" : "resource"} ${options.type}: inputs`,
    ...root,
    ...(Object.keys(definitions).length > 0 ? { definitions: sortKeys(definitions) } : {}),
  };
}

/**
 * One self-contained input schema for a type straight from a parsed schema entry, with no generated files (the
 * bridge's fallback). It has no `$id`, so any number of them can be compiled by one Ajv instance.
 */
export function inputJsonSchema(entry: ProviderSchemaEntry, kind: ResourceMode, type: string): JsonSchema {
  const schemas = kind === "managed" ? entry.resource_schemas : entry.data_source_schemas;
  const typeSchema = schemas?.[type];
  if (!typeSchema) {
    throw new Error(
      `the provider has no ${kind === "data" ? "data source" : "resource type"} named ${JSON.stringify(type)}`,
    );
  }
  const struct = readBlock(typeSchema.block, type);
  checkReservedNames(struct, kind, type);
  return typeInputJsonSchema({
    inputs: inputView(struct, kind, metaArgumentsOf(kind)),
    kind,
    type,
    meta: { embed: readBlock(entry.provider.block, "provider") },
  });
}

class DefinitionWriter {
  private written = new Set<number>();

  constructor(
    private definitions: Record<string, JsonSchema>,
    private prefix: string,
  ) {}

  root(view: View): JsonSchema {
    return this.structSchema(view.root);
  }

  private structSchema(struct: ViewStruct): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of struct.fields) {
      properties[field.name] = this.fieldSchema(field);
      if (field.required) required.push(field.name);
    }
    return {
      type: "object",
      ...(struct.source.description ? { description: struct.source.description } : {}),
      ...(struct.source.deprecated ? { deprecated: true } : {}),
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    };
  }

  private structRef(struct: ViewStruct): JsonSchema {
    if (struct.uses < 2) return this.structSchema(struct);
    const name = this.prefix + struct.name;
    if (!this.written.has(struct.id)) {
      this.written.add(struct.id);
      this.definitions[name] = this.structSchema(struct);
    }
    return { $ref: `#/definitions/${name}` };
  }

  private fieldSchema(field: ViewField): JsonSchema {
    let schema = this.tySchema(field.type);
    const { minItems, maxItems } = field.field;
    if (schema.type === "array" && (field.field.nesting === "list" || field.field.nesting === "set")) {
      if (minItems) schema.minItems = minItems;
      if (maxItems) schema.maxItems = maxItems;
    }
    if (field.nullable) schema = orNull(schema);
    return annotate(schema, field.field);
  }

  private tySchema(ty: VTy): JsonSchema {
    switch (ty.kind) {
      case "string":
        return { type: "string" };
      case "number":
        return { type: "number" };
      case "bool":
        return { type: "boolean" };
      case "dynamic":
        return {};
      case "list":
      case "set":
        return { type: "array", items: this.tySchema(ty.element) };
      case "map":
        return { type: "object", additionalProperties: this.tySchema(ty.element) };
      case "tuple":
        return {
          type: "array",
          items: ty.elements.map((e) => this.tySchema(e)),
          minItems: ty.elements.length,
          maxItems: ty.elements.length,
          additionalItems: false,
        };
      case "struct":
        return this.structRef(ty.struct);
    }
  }
}

function orNull(schema: JsonSchema): JsonSchema {
  if (Object.keys(schema).length === 0) return schema;
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  return { anyOf: [{ type: "null" }, schema] };
}

function annotate(schema: JsonSchema, field: Field): JsonSchema {
  if (!field.description && !field.sensitive && !field.writeOnly && !field.deprecated) return schema;
  // draft-07 ignores keywords beside $ref, so a bare reference is wrapped before it is annotated.
  const target: JsonSchema = "$ref" in schema ? { allOf: [schema] } : { ...schema };
  if (field.description) target.description = field.description;
  if (field.sensitive) target["x-sensitive"] = true;
  if (field.writeOnly) target.writeOnly = true;
  if (field.deprecated) target.deprecated = true;
  return target;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
