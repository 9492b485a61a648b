// The hand-written all-features schema (fixtures/edge-schema.json) and a package generated from it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo-root.js";
import { dir as tmpDir } from "tmp-promise";
import { generateProvider, type ProviderIndex } from "../codegen/generate-provider.js";
import type { ProviderSchemaEntry, ProvidersSchemaDocument } from "../opentofu/provider/provider-schema.js";
import { selectProvider } from "../opentofu/provider/select-provider.js";

export const EDGE_SCHEMA_FILE = join(repoRoot, "fixtures", "edge-schema.json");
export const EDGE_ADDRESS = "registry.terraform.io/example/edge";

export function edgeDocument(): ProvidersSchemaDocument {
  return JSON.parse(readFileSync(EDGE_SCHEMA_FILE, "utf8")) as ProvidersSchemaDocument;
}

export function edgeEntry(): ProviderSchemaEntry {
  return edgeDocument().provider_schemas![EDGE_ADDRESS]!;
}

export async function generateEdgePackage(): Promise<{ dir: string; index: ProviderIndex; cleanup(): Promise<void> }> {
  const tmp = await tmpDir({ unsafeCleanup: true, prefix: "edge-package-" });
  const index = await generateProvider(selectProvider(edgeDocument(), { version: "1.0.0" }), tmp.path);
  return { dir: tmp.path, index, cleanup: tmp.cleanup };
}
