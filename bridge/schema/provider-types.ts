// The provider's schema, as the bridge needs it per operation: the list of type names, one type's schema and
// the provider configuration schema. Dumping the whole schema costs an engine init plus a 13 MB parse, so it is
// done once per provider version and machine and split into one small file per type in the user's cache.
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { SchemaBlock, TypeSchema } from "../../opentofu/provider/provider-schema.js";
import type { ProviderRef } from "../../opentofu/provider/provider-address.js";
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";

export interface ProviderTypes {
  providerBlock: SchemaBlock;
  typeNames(mode: ResourceMode): string[];
  typeSchema(mode: ResourceMode, type: string): Promise<TypeSchema | undefined>;
}

interface Catalogue {
  provider: TypeSchema;
  resources: string[];
  dataSources: string[];
}

const CATALOGUE = "catalogue.json";
/** How long a bridge waits for another one's schema dump (an engine init and a 13 MB parse) before doing its own. */
const DUMP_WAIT_MS = 5 * 60_000;

function modeDir(mode: ResourceMode): string {
  return mode === "data" ? "data" : "resource";
}

class CachedProviderTypes implements ProviderTypes {
  constructor(
    private readonly dir: string,
    private readonly catalogue: Catalogue,
  ) {}

  get providerBlock(): SchemaBlock {
    return this.catalogue.provider.block;
  }

  typeNames(mode: ResourceMode): string[] {
    return mode === "data" ? this.catalogue.dataSources : this.catalogue.resources;
  }

  async typeSchema(mode: ResourceMode, type: string): Promise<TypeSchema | undefined> {
    if (!this.typeNames(mode).includes(type)) return undefined;
    return JSON.parse(await readFile(join(this.dir, modeDir(mode), `${type}.json`), "utf8")) as TypeSchema;
  }
}

export interface SchemaCacheOptions {
  cacheRoot: string;
  provider: ProviderRef;
  engine: string;
  pluginDir?: string;
  log: (line: string) => void;
}

export function schemaCacheDir(cacheRoot: string, provider: ProviderRef): string {
  return join(cacheRoot, "schemas", provider.address, provider.version);
}

async function readCatalogue(dir: string): Promise<Catalogue | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, CATALOGUE), "utf8")) as Catalogue;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Loads the split schema from the cache, dumping it from the engine first if this version was never seen. */
export async function loadProviderTypes(options: SchemaCacheOptions): Promise<ProviderTypes> {
  const dir = schemaCacheDir(options.cacheRoot, options.provider);
  const cached = await readCatalogue(dir);
  if (cached) return new CachedProviderTypes(dir, cached);
  // A cold burst of bridges would otherwise each start an engine and a provider to dump the same schema.
  const { tryAcquireLock } = await import("../machine/lock-file.js");
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + DUMP_WAIT_MS;
  let lock = await tryAcquireLock(`${dir}.dump.lock`);
  for (let announced = false; !lock && Date.now() < deadline; lock = await tryAcquireLock(`${dir}.dump.lock`)) {
    if (!announced)
      options.log(
        `waiting for another bridge to read the schema of ${options.provider.source} ${options.provider.version}`,
      );
    announced = true;
    await sleep(250 + Math.random() * 250);
    const dumped = await readCatalogue(dir);
    if (dumped) return new CachedProviderTypes(dir, dumped);
  }
  try {
    return await dumpProviderTypes(options, dir);
  } finally {
    await lock?.release();
  }
}

async function dumpProviderTypes(options: SchemaCacheOptions, dir: string): Promise<ProviderTypes> {
  const raced = await readCatalogue(dir);
  if (raced) return new CachedProviderTypes(dir, raced);

  options.log(`reading the schema of ${options.provider.source} ${options.provider.version} (once per version)`);
  // Loaded on use: it pulls in tmp-promise, which throws at import time when TMPDIR does not exist.
  const { obtainProviderSchema } = await import("../../opentofu/engine/schema-dump.js");
  const document = await obtainProviderSchema({
    provider: `${options.provider.address}@${options.provider.version}`,
    engine: options.engine,
    pluginDir: options.pluginDir,
  });
  const entry = document.provider_schemas![options.provider.address]!;
  // Built beside the final place and renamed into it, so concurrent bridges never see a half-written cache.
  const staging = `${dir}.${process.pid}.${Date.now()}.tmp`;
  await mkdir(join(staging, "resource"), { recursive: true, mode: 0o700 });
  await mkdir(join(staging, "data"), { recursive: true, mode: 0o700 });
  const write = (mode: ResourceMode, schemas: Record<string, TypeSchema> | undefined) =>
    Promise.all(
      Object.entries(schemas ?? {}).map(([type, schema]) =>
        writeFile(join(staging, modeDir(mode), `${type}.json`), JSON.stringify(schema)),
      ),
    );
  await write("managed", entry.resource_schemas);
  await write("data", entry.data_source_schemas);
  const catalogue: Catalogue = {
    provider: entry.provider,
    resources: Object.keys(entry.resource_schemas ?? {}).sort(),
    dataSources: Object.keys(entry.data_source_schemas ?? {}).sort(),
  };
  await writeFile(join(staging, CATALOGUE), JSON.stringify(catalogue));
  try {
    await rename(staging, dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    await rm(staging, { recursive: true, force: true }); // another bridge won the race; use its copy
  }
  return new CachedProviderTypes(dir, (await readCatalogue(dir))!);
}
