// The committed golden packages (fixtures/golden/): what users get from the codegen for the edge fixture and a
// few real AWS types, with docs, so that a change to an emitter shows in a diff. `npm run golden` regenerates
// them (regenerate-golden.ts); test/golden.test.ts regenerates them into a temporary folder and compares bytes.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { generateProvider } from "../codegen/generate-provider.js";
import { readProviderDocs } from "../codegen/schema/provider-docs.js";
import type { ProvidersSchemaDocument } from "../opentofu/provider/provider-schema.js";
import { selectProvider } from "../opentofu/provider/select-provider.js";
import { repoRoot } from "./repo-root.js";

export const GOLDEN_DIR = join(repoRoot, "fixtures", "golden");
/** The AWS types of the golden package, trimmed from the real hashicorp/aws 5.100.0 schema. */
export const AWS_GOLDEN_SCHEMA = join(repoRoot, "fixtures", "aws-schema-golden.json");
export const AWS_GOLDEN_TYPES = {
  resources: ["aws_iam_access_key", "aws_iam_user", "aws_iam_user_policy", "aws_s3_bucket", "aws_security_group"],
  dataSources: ["aws_iam_policy_document"],
};

interface GoldenPackage {
  name: string;
  schemaFile: string;
  provider: { source: string; version: string };
  docs: string;
}

export const GOLDEN_PACKAGES: GoldenPackage[] = [
  {
    name: "edge",
    schemaFile: join(repoRoot, "fixtures", "edge-schema.json"),
    provider: { source: "example/edge", version: "1.0.0" },
    docs: join(repoRoot, "fixtures", "edge-docs"),
  },
  {
    name: "aws",
    schemaFile: AWS_GOLDEN_SCHEMA,
    provider: { source: "hashicorp/aws", version: "5.100.0" },
    docs: join(repoRoot, "fixtures", "aws-docs-examples"),
  },
];

/** Generates every golden package into `outRoot/<name>`. */
export async function generateGolden(outRoot: string): Promise<void> {
  for (const pkg of GOLDEN_PACKAGES) {
    const document = JSON.parse(readFileSync(pkg.schemaFile, "utf8")) as ProvidersSchemaDocument;
    const selected = selectProvider(document, pkg.provider);
    await generateProvider(selected, join(outRoot, pkg.name), { docs: readProviderDocs(pkg.docs, selected.ref.name) });
  }
}

/** A schema document with only the golden AWS types (and the provider's configuration), from the full one. */
export function trimAwsSchema(full: ProvidersSchemaDocument): ProvidersSchemaDocument {
  const address = "registry.terraform.io/hashicorp/aws";
  const entry = full.provider_schemas![address]!;
  const pick = <T>(all: Record<string, T> | undefined, names: string[]) =>
    Object.fromEntries(names.map((n) => [n, all![n]!]));
  return {
    format_version: full.format_version,
    provider_schemas: {
      [address]: {
        provider: entry.provider,
        resource_schemas: pick(entry.resource_schemas, AWS_GOLDEN_TYPES.resources),
        data_source_schemas: pick(entry.data_source_schemas, AWS_GOLDEN_TYPES.dataSources),
      },
    },
  };
}

/** Every file under `dir`, relative to it, sorted. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) visit(path);
      else files.push(relative(dir, path));
    }
  };
  visit(dir);
  return files.sort();
}
