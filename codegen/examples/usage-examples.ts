// The usage examples of every type of a package: the provider's own HCL examples converted to NixOps4 members
// where its docs have them and they convert (hcl-example.ts), else the smallest valid inputs from the schema.
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";
import { inputView, outputView, type View } from "../../opentofu/wire/views.js";
import { metaArgumentsOf } from "../../opentofu/wire/meta-arguments.js";
import type { ProviderSchemaEntry } from "../../opentofu/provider/provider-schema.js";
import { readBlock } from "../../opentofu/provider/read-schema.js";
import type { DocExample } from "../schema/doc-examples.js";
import { exampleModule, type UsageExample } from "./example-module.js";
import { convertHclExample, ExampleConversionError, type ExampleTypes } from "./hcl-example.js";
import { minimalInputs } from "./schema-example.js";

export interface DocsExamples {
  examples: UsageExample[];
  /** Why the docs' examples that were left out could not be converted. */
  skipped: string[];
}

/** The views of the provider's types, made when an example first refers to a type. */
export function exampleTypes(entry: ProviderSchemaEntry): ExampleTypes {
  const cache = new Map<string, { inputs: View; outputs: View }>();
  return {
    views(kind: ResourceMode, type: string) {
      const key = `${kind} ${type}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const schema = (kind === "managed" ? entry.resource_schemas : entry.data_source_schemas)?.[type];
      if (!schema) return undefined;
      const struct = readBlock(schema.block, type);
      const views = { inputs: inputView(struct, kind, metaArgumentsOf(kind)), outputs: outputView(struct) };
      cache.set(key, views);
      return views;
    },
  };
}

export async function convertDocsExamples(
  providerName: string,
  kind: ResourceMode,
  type: string,
  docExamples: DocExample[],
  types: ExampleTypes,
): Promise<DocsExamples> {
  const result: DocsExamples = { examples: [], skipped: [] };
  for (const [i, example] of docExamples.entries()) {
    const label = example.title ? `"${example.title}"` : `${i + 1}`;
    try {
      const members = await convertHclExample(example.hcl, types);
      if (!members.some((m) => m.kind === kind && m.type === type))
        throw new ExampleConversionError(`does not use ${type}`);
      result.examples.push({
        ...(example.title ? { title: example.title } : {}),
        origin: "docs",
        nix: exampleModule(providerName, members),
      });
    } catch (error) {
      if (!(error instanceof ExampleConversionError)) throw error;
      result.skipped.push(`example ${label}: ${error.message}`);
    }
  }
  return result;
}

export function schemaExample(providerName: string, kind: ResourceMode, type: string, inputs: View): UsageExample {
  return {
    origin: "schema",
    nix: exampleModule(providerName, [{ name: "example", kind, type, inputs: minimalInputs(inputs) }]),
  };
}
