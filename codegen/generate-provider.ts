// Schema document → a generated provider package: per type a Nix module, an input JSON Schema, TypeScript types
// and a Markdown page (generate-types.ts); shared meta-argument files; the provider module; README.md and
// index.json. Each type is written as soon as it is made, so memory stays at a few types' worth of output. A
// large provider is split between worker threads, one per core: the work is CPU-bound and AWS has 2,134 types.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { markdownIndex, markdownMetaArguments } from "./emit-docs/markdown.js";
import { metaArgumentsBaseId, metaArgumentsJsonSchema } from "../opentofu/wire/json-schema.js";
import { nixMetaArguments, nixProviderModule } from "./emit-nix/nix-module.js";
import { typeScriptMetaArguments } from "./emit-typescript/typescript.js";
import {
  generatedHeaders,
  generateTypes,
  kindDir,
  kindLabel,
  registryDocsUrl,
  type PackageContext,
  type TypeEntry,
  type TypeFiles,
  type TypeJob,
} from "./generate-types.js";
import { nixNameOf } from "../opentofu/wire/wire-contract.js";
import { PackageWriter, preparePackageDir, removeStaleFiles } from "./package-files.js";
import { applyDocs } from "./model/apply-docs.js";
import { convertDocsExamples, exampleTypes } from "./examples/usage-examples.js";
import type { ProviderDocs } from "./schema/provider-docs.js";
import { readBlock } from "../opentofu/provider/read-schema.js";
import type { SelectedProvider } from "../opentofu/provider/select-provider.js";

export { registryDocsUrl, type TypeEntry, type TypeFiles } from "./generate-types.js";

export class CodegenError extends Error {}

export interface ProviderIndex {
  provider: { source: string; version: string; address: string };
  providerModule: string;
  metaArguments: TypeFiles;
  docs: string;
  resources: Record<string, TypeEntry>;
  dataSources: Record<string, TypeEntry>;
}

/** Below this many types, starting workers costs more than it saves. */
const WORKER_THRESHOLD = 200;
const WORKER_SCRIPT = fileURLToPath(new URL("./generate-worker.js", import.meta.url));

function typeJobs(selected: SelectedProvider, docs: ProviderDocs | undefined): TypeJob[] {
  const jobs: TypeJob[] = [];
  const nixNames = new Set<string>();
  for (const kind of ["managed", "data"] as const) {
    const schemas = (kind === "managed" ? selected.entry.resource_schemas : selected.entry.data_source_schemas) ?? {};
    for (const [type, schema] of Object.entries(schemas)) {
      if (!/^[A-Za-z0-9_]+$/.test(type))
        throw new CodegenError(`${kindLabel(kind)} ${JSON.stringify(type)}: not a usable type name`);
      const nixName = nixNameOf(kind, type);
      if (nixNames.has(nixName))
        throw new CodegenError(`${kindLabel(kind)} ${type}: resource type name ${nixName} is taken twice`);
      nixNames.add(nixName);
      const typeDocs = (kind === "managed" ? docs?.resources : docs?.dataSources)?.[type];
      jobs.push({ kind, type, schema, ...(typeDocs ? { docs: typeDocs } : {}) });
    }
  }
  return jobs;
}

function runWorker(context: PackageContext, jobs: TypeJob[]): Promise<TypeEntry[]> {
  return new Promise((resolve, reject) => {
    // JSON text crosses to the worker faster than a structured clone of the same objects.
    const worker = new Worker(WORKER_SCRIPT, { workerData: { context, jobsJson: JSON.stringify(jobs) } });
    let settled = false;
    worker.once("message", (message: { entries?: TypeEntry[]; error?: string }) => {
      settled = true;
      if (message.entries) resolve(message.entries);
      else reject(new CodegenError(message.error ?? "a codegen worker failed"));
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new CodegenError(`a codegen worker exited with code ${code} without a result`));
    });
  });
}

/** Converts the docs' HCL examples here, in the main thread: it needs every type's schema and is asynchronous. */
async function convertExamples(selected: SelectedProvider, jobs: TypeJob[]): Promise<void> {
  const types = exampleTypes(selected.entry);
  for (const job of jobs) {
    const docExamples = job.docs?.examples;
    if (docExamples?.length)
      job.examples = await convertDocsExamples(selected.ref.name, job.kind, job.type, docExamples, types);
  }
}

async function generateAllTypes(context: PackageContext, jobs: TypeJob[]): Promise<TypeEntry[]> {
  const workers = Math.min(availableParallelism(), 4);
  if (jobs.length < WORKER_THRESHOLD || workers < 2 || !existsSync(WORKER_SCRIPT)) return generateTypes(context, jobs);
  // Round robin, so that the few giant types land in different workers.
  const shares = Array.from({ length: workers }, (_, w) => jobs.filter((_, i) => i % workers === w));
  const results = await Promise.all(shares.map((share) => runWorker(context, share)));
  return jobs.map((_, i) => results[i % workers]![Math.floor(i / workers)]!);
}

export interface GenerateOptions {
  /** The provider's Markdown docs (readProviderDocs): descriptions the schema lacks. */
  docs?: ProviderDocs;
}

export async function generateProvider(
  selected: SelectedProvider,
  outDir: string,
  options: GenerateOptions = {},
): Promise<ProviderIndex> {
  const { ref, address, entry } = selected;
  const jobs = typeJobs(selected, options.docs);
  await convertExamples(selected, jobs);
  preparePackageDir(outDir, [kindDir("managed"), kindDir("data")]);
  const context: PackageContext = { ref, address, metaBaseId: metaArgumentsBaseId(address, ref.version), outDir };
  const headers = generatedHeaders(context);
  const index: ProviderIndex = {
    provider: { source: ref.source, version: ref.version, address },
    providerModule: "default.nix",
    metaArguments: {
      nix: "meta-arguments.nix",
      jsonSchema: "meta-arguments.schema.json",
      typescript: "meta-arguments.ts",
      docs: "meta-arguments.md",
    },
    docs: "README.md",
    resources: {},
    dataSources: {},
  };

  const entries = generateAllTypes(context, jobs);
  entries.catch(() => {}); // awaited below; this keeps a worker failure during the writes from counting as unhandled
  const writer = new PackageWriter(outDir);
  const providerConfig = readBlock(entry.provider.block, "provider");
  if (options.docs?.provider) applyDocs(providerConfig, options.docs.provider);
  writer.write(index.metaArguments.nix, nixMetaArguments(headers.hash, providerConfig));
  writer.write(
    index.metaArguments.jsonSchema,
    JSON.stringify(metaArgumentsJsonSchema(providerConfig, context.metaBaseId), null, 2) + "\n",
  );
  writer.write(index.metaArguments.typescript, typeScriptMetaArguments(headers.slash, providerConfig));
  writer.write(index.metaArguments.docs, markdownMetaArguments(headers.label, providerConfig));

  const generated = await entries;
  jobs.forEach((job, i) => ((job.kind === "managed" ? index.resources : index.dataSources)[job.type] = generated[i]!));
  const registryBase = registryDocsUrl(ref, "managed", "x")?.replace(/\/resources\/x$/, "");
  writer.write(
    index.providerModule,
    nixProviderModule({
      header: headers.hash,
      providerArg: `${ref.source}@${ref.version}`,
      name: `${headers.label} (OpenTofu bridge)`,
      description: `Resources and data sources of the Terraform/OpenTofu provider ${headers.label}, run by nixops4-resources-opentofu.`,
      sourceBaseUrl: registryBase ?? `https://${address}`,
      sourceName: headers.label,
      resourceTypes: generated.map((t) => [t.nixName, t.nix]),
    }),
  );
  writer.write(
    index.docs,
    markdownIndex(
      headers.label,
      Object.entries(index.resources).map(([t, f]) => [t, f.docs]),
      Object.entries(index.dataSources).map(([t, f]) => [t, f.docs]),
    ),
  );
  writer.write("index.json", JSON.stringify(index, null, 2) + "\n");
  const generatedFiles = new Set<string>([
    "index.json",
    index.providerModule,
    index.docs,
    ...(Object.values(index.metaArguments) as string[]),
  ]);
  for (const entry of generated)
    for (const file of [entry.nix, entry.jsonSchema, entry.typescript, entry.docs]) generatedFiles.add(file);
  removeStaleFiles(outDir, generatedFiles);
  return index;
}
