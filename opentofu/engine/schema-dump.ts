// Asks the real engine for a provider's schema: a private scratch workspace that requires exactly one provider,
// `init` (from the filesystem mirror when one is given), then `providers schema -json`.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dir as tmpDir } from "tmp-promise";
import { writeCliConfig } from "./cli-config.js";
import { resolveEngine } from "./engine-binary.js";
import { engineEnvironment, runEngineForDocument } from "./run-engine.js";
import { parseProviderRef } from "../provider/provider-address.js";
import type { ProvidersSchemaDocument } from "../provider/provider-schema.js";
import { findProviderEntry } from "../provider/select-provider.js";

export interface ObtainSchemaOptions {
  /** SOURCE@VERSION, e.g. "hashicorp/aws@5.100.0". */
  provider: string;
  /** Engine binary (path or name on PATH); default `tofu`, else `terraform`. */
  engine?: string;
  /** A filesystem mirror (the folder holding `registry.terraform.io`); without it the engine's defaults apply. */
  pluginDir?: string;
}

export class SchemaDumpError extends Error {}

export interface SchemaWorkspace {
  path: string;
  engine: string;
  /** Runs the engine in the workspace; resolves to stdout, throws SchemaDumpError with its stderr. */
  run(args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

/** A private (0700) initialised workspace requiring only this provider; the caller cleans it up. */
export async function createSchemaWorkspace(options: ObtainSchemaOptions): Promise<SchemaWorkspace> {
  const ref = parseProviderRef(options.provider);
  const engine = resolveEngine(options.engine);
  const workspace = await tmpDir({ unsafeCleanup: true, mode: 0o700, prefix: "nixops4-opentofu-schema-" });
  try {
    const cliConfig = await writeCliConfig(workspace.path, { pluginDir: options.pluginDir });
    const mainTf = {
      terraform: { required_providers: { [ref.name]: { source: ref.source, version: ref.version } } },
    };
    await writeFile(join(workspace.path, "main.tf.json"), JSON.stringify(mainTf, null, 2) + "\n", { mode: 0o600 });
    // The bridge's engine environment: the user's TF_CLI_ARGS, TF_DATA_DIR and the like must not reach this run.
    const env = engineEnvironment(process.env, { TF_CLI_CONFIG_FILE: cliConfig });
    const run = async (args: string[]) => {
      const result = await runEngineForDocument({ engine, args, cwd: workspace.path, env });
      if (result.exitCode !== 0) {
        throw new SchemaDumpError(
          `${engine} ${args.join(" ")} failed for provider ${options.provider} (exit ${result.exitCode}): ` +
            (result.stderr || result.stdout).trim(),
        );
      }
      return result.stdout;
    };
    await run(["init", "-input=false", "-no-color"]);
    return { path: workspace.path, engine, run, cleanup: workspace.cleanup };
  } catch (error) {
    await workspace.cleanup();
    throw error;
  }
}

export async function obtainProviderSchema(options: ObtainSchemaOptions): Promise<ProvidersSchemaDocument> {
  const ref = parseProviderRef(options.provider);
  const workspace = await createSchemaWorkspace(options);
  try {
    const document = JSON.parse(await workspace.run(["providers", "schema", "-json"])) as ProvidersSchemaDocument;
    if (!findProviderEntry(document, ref)) {
      throw new SchemaDumpError(
        `${workspace.engine} providers schema -json has no entry for ${ref.address} (got: ${Object.keys(document.provider_schemas ?? {}).join(", ") || "none"})`,
      );
    }
    return document;
  } finally {
    await workspace.cleanup();
  }
}
