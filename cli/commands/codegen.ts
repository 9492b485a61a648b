// `nixops4-opentofu codegen`: a provider schema (a file, or dumped by the engine) → a generated provider package.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { generateProvider } from "../../codegen/generate-provider.js";
import { obtainProviderSchema } from "../../opentofu/engine/schema-dump.js";
import { ProviderDocsError, readProviderDocs, type ProviderDocs } from "../../codegen/schema/provider-docs.js";
import type { ProvidersSchemaDocument } from "../../opentofu/provider/provider-schema.js";
import { selectProvider } from "../../opentofu/provider/select-provider.js";
import { parseProviderRef, ProviderRefError } from "../../opentofu/provider/provider-address.js";
import { UsageError } from "../usage-error.js";

export const CODEGEN_USAGE = `usage: nixops4-opentofu codegen --out DIR [--docs DIR] (--schema FILE [--provider SOURCE@VERSION | --provider-source SOURCE --provider-version VERSION]
                                         | --provider SOURCE@VERSION [--engine PATH] [--plugin-dir DIR])
  --schema FILE               output of \`tofu providers schema -json\`; the source may be omitted if it holds one provider
  --provider SOURCE@VERSION   e.g. hashicorp/aws@5.100.0; without --schema the engine is run to dump the schema
  --engine PATH               tofu or terraform binary (default: tofu on PATH, else terraform)
  --plugin-dir DIR            filesystem mirror holding the provider (the folder with registry.terraform.io)
  --docs DIR                  the provider's Markdown docs (its repository, docs/ or website/docs/): descriptions the schema lacks
  --out DIR                   where the package is written (replaces an earlier generated package there)`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        schema: { type: "string" },
        provider: { type: "string" },
        "provider-source": { type: "string" },
        "provider-version": { type: "string" },
        engine: { type: "string" },
        "plugin-dir": { type: "string" },
        docs: { type: "string" },
        out: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`codegen: ${(error as Error).message}`);
  }
}

function providerFlag(spec: string): { source: string; version: string } {
  try {
    const ref = parseProviderRef(spec);
    return { source: ref.source, version: ref.version };
  } catch (error) {
    if (error instanceof ProviderRefError) throw new UsageError(`codegen: --provider: ${error.message}`);
    throw error;
  }
}

export async function codegenCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const values = parse(argv);
  if (!values.out) throw new UsageError("codegen: --out DIR is required");
  if (values.provider && (values["provider-source"] || values["provider-version"])) {
    throw new UsageError(
      "codegen: give either --provider SOURCE@VERSION or --provider-source/--provider-version, not both",
    );
  }
  let document: ProvidersSchemaDocument;
  let wanted: { source?: string; version?: string };
  if (values.schema) {
    if (values.engine || values["plugin-dir"]) {
      throw new UsageError("codegen: --engine and --plugin-dir only apply when the schema is dumped (no --schema)");
    }
    wanted = values.provider
      ? providerFlag(values.provider)
      : { source: values["provider-source"], version: values["provider-version"] };
    if (!wanted.version) {
      throw new UsageError(
        "codegen: the provider version cannot be read from a schema; add --provider-version or --provider SOURCE@VERSION",
      );
    }
    let text: string;
    try {
      text = await readFile(values.schema, "utf8");
    } catch (error) {
      throw new UsageError(`codegen: cannot read --schema ${values.schema}: ${(error as Error).message}`);
    }
    try {
      document = JSON.parse(text) as ProvidersSchemaDocument;
    } catch (error) {
      throw new UsageError(`codegen: --schema ${values.schema} is not JSON: ${(error as Error).message}`);
    }
  } else {
    if (!values.provider) throw new UsageError("codegen: give --schema FILE or --provider SOURCE@VERSION");
    if (values["provider-source"] || values["provider-version"]) {
      throw new UsageError("codegen: --provider-source/--provider-version only apply with --schema");
    }
    wanted = providerFlag(values.provider);
    log(`dumping the schema of ${values.provider} with the engine`);
    document = await obtainProviderSchema({
      provider: values.provider,
      engine: values.engine,
      pluginDir: values["plugin-dir"],
    });
  }
  const selected = selectProvider(document, wanted);
  let docs: ProviderDocs | undefined;
  if (values.docs) {
    try {
      docs = readProviderDocs(values.docs, selected.ref.name);
    } catch (error) {
      if (error instanceof ProviderDocsError) throw new UsageError(`codegen: ${error.message}`);
      throw error;
    }
    log(
      `read the docs of ${Object.keys(docs.resources).length} resources and ${Object.keys(docs.dataSources).length} data sources from ${values.docs}`,
    );
  }
  const index = await generateProvider(selected, values.out, { docs });
  log(
    `wrote ${Object.keys(index.resources).length} resources and ${Object.keys(index.dataSources).length} data sources ` +
      `of ${index.provider.source} ${index.provider.version} to ${values.out}`,
  );
}
