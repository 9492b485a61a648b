// One codegen run in its own process, for bench/codegen.ts: prints its peak RSS as JSON on stdout.
import { readFileSync } from "node:fs";
import { generateProvider } from "../codegen/generate-provider.js";
import type { ProvidersSchemaDocument } from "../opentofu/provider/provider-schema.js";
import { selectProvider } from "../opentofu/provider/select-provider.js";

const [schemaFile, version, outDir] = process.argv.slice(2);
if (!schemaFile || !version || !outDir) {
  process.stderr.write("usage: codegen-child SCHEMA VERSION OUT\n");
  process.exit(2);
}
const document = JSON.parse(readFileSync(schemaFile, "utf8")) as ProvidersSchemaDocument;
await generateProvider(selectProvider(document, { version }), outDir);
process.stdout.write(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + "\n");
