// The provider's full schema response (GetSchema / GetProviderSchema, as protobuf bytes), kept on disk so that a
// cold host answers its first engine at once instead of waiting for the provider: the AWS provider takes 1.3–2 s of
// both cores to build its 5 MB answer, and every bridge of a cold burst waits for that first engine run.
//
// The answer is the binary's: the key names the provider (address, version, the protocol it spoke) and the file it
// ran from by its real path, size, inode and mtime together. mtime alone would not do (every mtime in the Nix store
// is 1), but there the real path changes with the content; elsewhere a replaced binary gets a new inode or size or
// mtime. Hashing the ~700 MB binary at every host start would cost more than the fetch it saves.
//
// A file that does not match its own digest is treated as missing (the host fetches again and rewrites it); an
// answer with an error diagnostic is never written.
import { createHash } from "node:crypto";
import { chmod, mkdir, readdir, readFile, realpath, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { SCHEMA_RESPONSE } from "./plugin-protocol.js";
import { hasErrorDiagnostic } from "./schema-prune.js";

/** Bumped when the file layout changes, so that no reader takes an older layout for its own. */
const FORMAT = 1;
const DIGEST_BYTES = 32;
const SUFFIX = ".schema.pb";

export interface ProviderIdentity {
  providerAddress: string;
  providerVersion: string;
  /** The plugin protocol the provider speaks (5 or 6): the message's layout. */
  protocolVersion: number;
  binaryPath: string;
}

/** What tells one provider binary from another without reading it. */
export interface BinaryFacts {
  realPath: string;
  size: string;
  dev: string;
  ino: string;
  mtimeNs: string;
}

export async function binaryFacts(binaryPath: string): Promise<BinaryFacts> {
  const realPath = await realpath(binaryPath);
  // bigint: inode numbers and nanosecond mtimes need not fit in a double.
  const info = await stat(realPath, { bigint: true });
  return {
    realPath,
    size: String(info.size),
    dev: String(info.dev),
    ino: String(info.ino),
    mtimeNs: String(info.mtimeNs),
  };
}

/** The cache file's name stem: sha256 hex over the provider's identity and its binary's facts. */
export function schemaCacheKey(identity: ProviderIdentity, facts: BinaryFacts): string {
  const canonical = JSON.stringify([
    FORMAT,
    identity.providerAddress,
    identity.providerVersion,
    identity.protocolVersion,
    facts.realPath,
    facts.size,
    facts.dev,
    facts.ino,
    facts.mtimeNs,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** The file's contents: the payload's sha256, then the payload. */
export function encodeSchemaFile(schema: Uint8Array): Buffer {
  return Buffer.concat([createHash("sha256").update(schema).digest(), schema]);
}

/** The payload of a file written by encodeSchemaFile, or undefined when it is truncated, altered or not a schema
 * answer without errors. */
export function decodeSchemaFile(file: Buffer): Buffer | undefined {
  if (file.length <= DIGEST_BYTES) return undefined;
  const schema = file.subarray(DIGEST_BYTES);
  if (!createHash("sha256").update(schema).digest().equals(file.subarray(0, DIGEST_BYTES))) return undefined;
  try {
    if (hasErrorDiagnostic(schema, SCHEMA_RESPONSE.diagnostics)) return undefined;
  } catch {
    return undefined;
  }
  return schema;
}

export type StoredSchemaRead =
  { kind: "hit"; schema: Buffer } | { kind: "miss" } | { kind: "unusable"; reason: string };

/** One provider binary's stored schema answer under `<cacheDir>/provider-schemas/<address>/<version>/`. */
export class SchemaDiskCache {
  private constructor(
    private readonly dir: string,
    readonly key: string,
  ) {}

  /** Where `identity`'s answer lives; fails only when the binary cannot be stat'ed. */
  static async open(cacheDir: string, identity: ProviderIdentity): Promise<SchemaDiskCache> {
    const key = schemaCacheKey(identity, await binaryFacts(identity.binaryPath));
    return new SchemaDiskCache(
      join(cacheDir, "provider-schemas", identity.providerAddress, identity.providerVersion),
      key,
    );
  }

  private get name(): string {
    return `${this.key}${SUFFIX}`;
  }

  get path(): string {
    return join(this.dir, this.name);
  }

  /** Never throws: whatever cannot be read is a reason to fetch again. */
  async read(): Promise<StoredSchemaRead> {
    let file: Buffer;
    try {
      file = await readFile(this.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === "ENOENT" ? { kind: "miss" } : { kind: "unusable", reason: (error as Error).message };
    }
    const schema = decodeSchemaFile(file);
    return schema ? { kind: "hit", schema } : { kind: "unusable", reason: `${this.path} is corrupt` };
  }

  /** Writes atomically (0600 in 0700 directories), then drops the files of other binaries of this provider
   * version: a replaced binary's answer is of no more use, and each is 5 MB. */
  async write(schema: Buffer): Promise<void> {
    if (hasErrorDiagnostic(schema, SCHEMA_RESPONSE.diagnostics)) {
      throw new Error("a schema answer with an error diagnostic is not stored");
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    await writeFileAtomic(this.path, encodeSchemaFile(schema), { mode: 0o600 });
    const others = (await readdir(this.dir)).filter((name) => name.endsWith(SUFFIX) && name !== this.name);
    await Promise.all(others.map((name) => rm(join(this.dir, name), { force: true })));
  }
}
