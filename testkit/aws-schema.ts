// The whole AWS provider schema for tests, dumped once from the real provider through obtainProviderSchema and
// cached at .cache/aws-schema-5.100.0.json. Parallel test files may ask at the same time: each dumps into its
// own temporary file and renames it into place (atomic), so a reader never sees half a file.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import writeFileAtomic from "write-file-atomic";
import { dirname, join } from "node:path";
import { repoRoot } from "./repo-root.js";
import { obtainProviderSchema } from "../opentofu/engine/schema-dump.js";
import type { ProvidersSchemaDocument } from "../opentofu/provider/provider-schema.js";
import { AWS_PROVIDER, engineBinary, pluginMirrorDir } from "./machine.js";

export const AWS_SCHEMA_CACHE = join(repoRoot, ".cache", "aws-schema-5.100.0.json");

/** Path of the cached schema dump, creating it first if needed. */
export async function awsSchemaFile(): Promise<string> {
  if (existsSync(AWS_SCHEMA_CACHE)) return AWS_SCHEMA_CACHE;
  const document = await obtainProviderSchema({
    provider: AWS_PROVIDER,
    engine: engineBinary(),
    pluginDir: pluginMirrorDir(),
  });
  mkdirSync(dirname(AWS_SCHEMA_CACHE), { recursive: true });
  writeFileAtomic.sync(AWS_SCHEMA_CACHE, JSON.stringify(document));
  return AWS_SCHEMA_CACHE;
}

export async function awsSchema(): Promise<ProvidersSchemaDocument> {
  return JSON.parse(readFileSync(await awsSchemaFile(), "utf8")) as ProvidersSchemaDocument;
}
