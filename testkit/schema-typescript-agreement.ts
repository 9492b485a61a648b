// An independent cross-check of two emitters: json-schema-to-typescript turns each generated input JSON Schema
// into TypeScript, and tsc proves that type and our emitted `…Inputs` type assignable both ways, i.e. the
// TypeScript a user writes against accepts exactly the values the bridge's validation accepts.
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { compile } from "json-schema-to-typescript";
import type { JsonSchema } from "../opentofu/wire/json-schema.js";
import type { ProviderIndex, TypeEntry } from "../codegen/generate-provider.js";
import { typeScriptNames } from "../codegen/emit-typescript/typescript.js";
import { typeCheckDir } from "./typescript.js";

import type { ResourceMode } from "../opentofu/wire/wire-contract.js";

/** The meta-argument definitions the type schemas refer to by `$id`, as local definitions. */
function localMetaDefinitions(
  pkgDir: string,
  index: ProviderIndex,
): { definitions: Record<string, JsonSchema>; refs: Map<string, string> } {
  const meta = JSON.parse(readFileSync(join(pkgDir, index.metaArguments.jsonSchema), "utf8")) as {
    definitions: Record<string, JsonSchema>;
  };
  const definitions: Record<string, JsonSchema> = {};
  const refs = new Map<string, string>();
  for (const [name, definition] of Object.entries(meta.definitions)) {
    const { $id, ...rest } = definition;
    refs.set(String($id), `#/definitions/meta_argument_${name}`);
    definitions[`meta_argument_${name}`] = rest;
  }
  return { definitions, refs };
}

/**
 * Our TypeScript does not count list items (a block with `min_items = 1` is `T[]`, as in Terraform's JSON syntax),
 * while json-schema-to-typescript turns counts into tuples; counts are left out of the comparison. Real tuples
 * (`items` as an array) keep theirs. Titles and descriptions would only rename or annotate its types.
 */
function forComparison(schema: JsonSchema, refs: Map<string, string>): JsonSchema {
  const copy: JsonSchema = {};
  const isList = schema.items !== undefined && !Array.isArray(schema.items);
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === "title" || keyword === "description") continue;
    if (isList && (keyword === "minItems" || keyword === "maxItems")) continue;
    if (keyword === "$ref" && typeof value === "string") copy.$ref = refs.get(value) ?? value;
    else if (keyword === "properties" || keyword === "definitions")
      copy[keyword] = forEachSchema(value as Record<string, JsonSchema>, refs);
    else if (Array.isArray(value))
      copy[keyword] = value.map((v) => (v && typeof v === "object" ? forComparison(v as JsonSchema, refs) : v));
    else if (value && typeof value === "object") copy[keyword] = forComparison(value as JsonSchema, refs);
    else copy[keyword] = value;
  }
  return copy;
}

function forEachSchema(schemas: Record<string, JsonSchema>, refs: Map<string, string>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, forComparison(schema, refs)]));
}

/** tsc's diagnostics ("" when every listed type agrees both ways). */
export async function schemaTypeScriptDisagreements(
  pkgDir: string,
  index: ProviderIndex,
  types: [ResourceMode, string][],
): Promise<string> {
  const meta = localMetaDefinitions(pkgDir, index);
  const checks: string[] = [];
  for (const [i, [kind, type]] of types.entries()) {
    const entry: TypeEntry | undefined = (kind === "managed" ? index.resources : index.dataSources)[type];
    if (!entry) throw new Error(`${kind} ${type} is not in the package`);
    const schema = forComparison(
      JSON.parse(readFileSync(join(pkgDir, entry.jsonSchema), "utf8")) as JsonSchema,
      meta.refs,
    );
    schema.definitions = {
      ...(schema.definitions as Record<string, JsonSchema> | undefined),
      ...forEachSchema(meta.definitions, meta.refs),
    };
    // compile() settles through microtasks only; without a macrotask now and then, vitest's worker RPC times out.
    if (i % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
    const generated = await compile(schema, "FromJsonSchema", {
      bannerComment: "",
      format: false,
      additionalProperties: false,
      unknownAny: true,
      declareExternallyReferenced: true,
    });
    const file = join("json-schema-to-typescript", entry.typescript);
    mkdirSync(dirname(join(pkgDir, file)), { recursive: true });
    writeFileSync(join(pkgDir, file), generated);
    const ours = typeScriptNames(type, kind).inputs;
    const from = (p: string) => `./${p.replace(/\.ts$/, ".js")}`;
    checks.push(
      `import type { ${ours} as Ours${i} } from "${from(entry.typescript)}";`,
      `import type { FromJsonSchema as Theirs${i} } from "${from(file)}";`,
      // Assignments rather than a conditional type, so that tsc names the property that differs.
      `// ${kind} ${type}: our type accepts every value the schema accepts, and no other`,
      `export function accepts${i}(value: Theirs${i}): Ours${i} { return value; }`,
      `export function rejects${i}(value: Ours${i}): Theirs${i} { return value; }`,
    );
  }
  writeFileSync(join(pkgDir, "agreement.ts"), checks.join("\n") + "\n");
  return typeCheckDir(pkgDir, ["agreement.ts"]);
}
