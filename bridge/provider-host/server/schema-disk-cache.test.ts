import protobuf from "protobufjs/minimal.js";
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile, rename, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  binaryFacts,
  decodeSchemaFile,
  encodeSchemaFile,
  schemaCacheKey,
  SchemaDiskCache,
  type BinaryFacts,
  type ProviderIdentity,
} from "./schema-disk-cache.js";

const { Writer } = protobuf;

const root = mkdtempSync(join(tmpdir(), "schema-disk-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A GetProviderSchema.Response: the provider's schema (1) and one resource (2), optionally one error (4). */
function schemaResponse(marker: string, error = false): Buffer {
  const w = Writer.create();
  w.uint32((1 << 3) | 2).bytes(
    Writer.create()
      .uint32((4 << 3) | 2)
      .string(marker)
      .finish(),
  );
  w.uint32((2 << 3) | 2).bytes(
    Writer.create()
      .uint32((1 << 3) | 2)
      .string("aws_s3_bucket")
      .finish(),
  );
  if (error)
    w.uint32((4 << 3) | 2).bytes(
      Writer.create()
        .uint32(1 << 3)
        .uint32(1)
        .finish(),
    );
  return Buffer.from(w.finish());
}

const identity: ProviderIdentity = {
  providerAddress: "registry.terraform.io/hashicorp/aws",
  providerVersion: "5.100.0",
  protocolVersion: 5,
  binaryPath: "/nix/store/aaaa-terraform-provider-aws/bin/terraform-provider-aws",
};
const facts: BinaryFacts = {
  realPath: identity.binaryPath,
  size: "712345678",
  dev: "2049",
  ino: "123456",
  mtimeNs: "1000000000",
};

describe("schemaCacheKey", () => {
  it("changes with every part of the provider's identity and of its binary's, one at a time", () => {
    const base = schemaCacheKey(identity, facts);
    const changed = [
      schemaCacheKey({ ...identity, providerAddress: "registry.opentofu.org/hashicorp/aws" }, facts),
      schemaCacheKey({ ...identity, providerVersion: "5.100.1" }, facts),
      schemaCacheKey({ ...identity, protocolVersion: 6 }, facts),
      // In the Nix store every mtime is 1: there, the store path is what changes with the content.
      schemaCacheKey(identity, {
        ...facts,
        realPath: "/nix/store/bbbb-terraform-provider-aws/bin/terraform-provider-aws",
      }),
      schemaCacheKey(identity, { ...facts, size: "712345679" }),
      schemaCacheKey(identity, { ...facts, dev: "2050" }),
      schemaCacheKey(identity, { ...facts, ino: "123457" }),
      schemaCacheKey(identity, { ...facts, mtimeNs: "1000000001" }),
    ];
    expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
    // The path a caller gave is not part of it: only where it leads.
    expect(schemaCacheKey({ ...identity, binaryPath: "/elsewhere/link" }, facts)).toBe(base);
  });
});

describe("the cache file", () => {
  it("gives back exactly what was encoded", () => {
    const schema = schemaResponse("provider");
    expect(decodeSchemaFile(encodeSchemaFile(schema))).toEqual(schema);
  });

  it("is refused when truncated, altered, empty or an error answer", () => {
    const file = encodeSchemaFile(schemaResponse("provider"));
    expect(decodeSchemaFile(file.subarray(0, file.length - 1))).toBeUndefined();
    const altered = Buffer.from(file);
    altered.writeUInt8(altered.readUInt8(altered.length - 2) ^ 1, altered.length - 2);
    expect(decodeSchemaFile(altered)).toBeUndefined();
    expect(decodeSchemaFile(file.subarray(0, 32))).toBeUndefined();
    expect(decodeSchemaFile(Buffer.alloc(0))).toBeUndefined();
    expect(decodeSchemaFile(encodeSchemaFile(schemaResponse("provider", true)))).toBeUndefined();
    // Right digest, but not protobuf (field number 0).
    expect(decodeSchemaFile(encodeSchemaFile(Buffer.from([0x00, 0x01])))).toBeUndefined();
  });
});

describe("SchemaDiskCache", () => {
  async function providerBinary(name: string): Promise<string> {
    const path = join(root, name);
    await writeFile(path, "#!/bin/sh\n", { mode: 0o755 });
    return path;
  }

  it("misses, stores privately, then hits for the same binary, also through a symlink", async () => {
    const cacheDir = join(root, "cache-1");
    const binaryPath = await providerBinary("provider-1");
    const cache = await SchemaDiskCache.open(cacheDir, { ...identity, binaryPath });
    expect(await cache.read()).toEqual({ kind: "miss" });
    const schema = schemaResponse("one");
    await cache.write(schema);
    expect(statSync(cache.path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(cache.path)).mode & 0o777).toBe(0o700);
    expect(dirname(cache.path)).toBe(join(cacheDir, "provider-schemas", identity.providerAddress, "5.100.0"));
    const again = await SchemaDiskCache.open(cacheDir, { ...identity, binaryPath });
    expect(await again.read()).toEqual({ kind: "hit", schema });
    const link = join(root, "provider-1-link");
    symlinkSync(binaryPath, link);
    expect((await SchemaDiskCache.open(cacheDir, { ...identity, binaryPath: link })).path).toBe(cache.path);
  });

  it("does not use the file of a replaced binary, and drops it once the new one is stored", async () => {
    const cacheDir = join(root, "cache-2");
    const binaryPath = await providerBinary("provider-2");
    const old = await SchemaDiskCache.open(cacheDir, { ...identity, binaryPath });
    await old.write(schemaResponse("old"));
    // Same path, same size, same mtime (as in the Nix store): a new file, so a new inode.
    const before = await binaryFacts(binaryPath);
    const replacement = `${binaryPath}.new`;
    await writeFile(replacement, await readFile(binaryPath), { mode: 0o755 });
    const mtime = new Date(Number(BigInt(before.mtimeNs) / 1_000_000n));
    await utimes(replacement, mtime, mtime);
    await rename(replacement, binaryPath);
    const after = await binaryFacts(binaryPath);
    expect(after.size).toBe(before.size);
    expect(after.ino).not.toBe(before.ino);

    const replaced = await SchemaDiskCache.open(cacheDir, { ...identity, binaryPath });
    expect(replaced.path).not.toBe(old.path);
    expect(await replaced.read()).toEqual({ kind: "miss" });
    const schema = schemaResponse("new");
    await replaced.write(schema);
    expect(readdirSync(dirname(replaced.path)).filter((name) => name.endsWith(".pb"))).toEqual([
      `${replaced.key}.schema.pb`,
    ]);
    expect(await replaced.read()).toEqual({ kind: "hit", schema });
  });

  it("reports a corrupt or unreadable file as unusable and rewrites it", async () => {
    const cacheDir = join(root, "cache-3");
    const binaryPath = await providerBinary("provider-3");
    const cache = await SchemaDiskCache.open(cacheDir, { ...identity, binaryPath });
    await cache.write(schemaResponse("one"));
    writeFileSync(cache.path, "not a schema");
    expect((await cache.read()).kind).toBe("unusable");
    const schema = schemaResponse("two");
    await cache.write(schema);
    expect(await cache.read()).toEqual({ kind: "hit", schema });
    if (process.getuid?.() !== 0) {
      chmodSync(cache.path, 0o000);
      expect((await cache.read()).kind).toBe("unusable");
    }
  });

  it("never stores an answer with an error diagnostic", async () => {
    const cacheDir = join(root, "cache-4");
    const cache = await SchemaDiskCache.open(cacheDir, { ...identity, binaryPath: await providerBinary("provider-4") });
    await expect(cache.write(schemaResponse("broken", true))).rejects.toThrow("error diagnostic");
    expect(await cache.read()).toEqual({ kind: "miss" });
  });

  it("cannot be opened for a binary that is not there", async () => {
    await expect(
      SchemaDiskCache.open(join(root, "cache-5"), { ...identity, binaryPath: join(root, "missing") }),
    ).rejects.toThrow();
  });
});
