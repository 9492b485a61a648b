// A cold host (none running) of a provider binary another host has served before answers the engine's schema
// request from the disk cache (bridge/provider-host/server/schema-disk-cache.ts) instead of asking the provider, and
// the operation still reaches the cloud; a host of another binary of the same provider version does not take that
// file for its own. Such a host also has its provider validate the configuration requests the first engine is
// about to send, rebuilt byte for byte, while that engine starts. Real bridges, engine, AWS provider and moto; the
// host log says what was sent to the provider.
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
  linkSync,
  copyFileSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { outputsOf, repoRoot, runBridge } from "../testkit/bridge-process.js";
import { pluginMirrorDir } from "../testkit/machine.js";
import { motoSdkConfig, startMoto, type MotoServer } from "../testkit/moto.js";
import { isAlive } from "../bridge/machine/process-identity.js";
import { runningHosts, stopHost, stopHosts } from "../testkit/hosts.js";
import { waitUntil } from "../testkit/wait.js";

const BINARY = join("registry.terraform.io", "hashicorp", "aws", "5.100.0", "linux_amd64");
const BINARY_NAME = "terraform-provider-aws_v5.100.0_x5";

let moto: MotoServer;
let s3: S3Client;
let hostDir: string;
let cacheDir: string;
let mirrorDir: string;
let bridge: AwsBridgeEnv;

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({ ...motoSdkConfig(moto), forcePathStyle: true });
  // Short: socket paths in it are limited to 107 bytes.
  hostDir = await mkdtemp(join(tmpdir(), "hc-"));
  // A cache dir of its own, so that the first host finds no stored schema, sharing the JSON schemas and compiled
  // validators the other tests made (dumping the schema again would take most of this file's time).
  cacheDir = await mkdtemp(join(tmpdir(), "hc-cache-"));
  const shared = join(repoRoot, ".cache", "bridge");
  for (const name of ["schemas", "validators"]) {
    mkdirSync(join(shared, name), { recursive: true });
    symlinkSync(join(shared, name), join(cacheDir, name));
  }
  // Another copy of the same provider binary: same version and content, another file. Beside the repository
  // rather than in the temp dir, which may be memory: the copy fallback below writes 700 MB.
  mkdirSync(join(repoRoot, ".cache"), { recursive: true });
  mirrorDir = await mkdtemp(join(repoRoot, ".cache", "hc-mirror-"));
  mkdirSync(join(mirrorDir, BINARY), { recursive: true });
  const original = join(pluginMirrorDir(), BINARY, BINARY_NAME);
  try {
    linkSync(original, join(mirrorDir, BINARY, BINARY_NAME));
  } catch {
    // Another file system: a reflink where it can, else a copy.
    copyFileSync(original, join(mirrorDir, BINARY, BINARY_NAME), constants.COPYFILE_FICLONE);
  }
  bridge = awsBridgeEnv(moto, { NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir, NIXOPS4_OPENTOFU_CACHE_DIR: cacheDir });
});

afterAll(async () => {
  await stopHosts(hostDir);
  for (const dir of [hostDir, cacheDir, mirrorDir]) if (dir) await rm(dir, { recursive: true, force: true });
  bridge?.cleanup();
  await moto?.stop();
});

/** What host `pid` logged so far. */
function hostLog(pid: number): string[] {
  const lines = readdirSync(hostDir)
    .filter((name) => name.endsWith(".log"))
    .flatMap((name) => readFileSync(join(hostDir, name), "utf8").split("\n"));
  return lines.filter((line) => line.includes(`[host ${pid}] `));
}

/** Host `pid`'s count of calls sent on to the provider, from its last "lease released" line. */
async function forwardedBy(pid: number): Promise<Map<string, number>> {
  const released = () => hostLog(pid).filter((line) => line.includes("forwarded to the provider:"));
  expect(await waitUntil(() => released().length > 0, 10_000)).toBe(true);
  const counts = released().at(-1)!.split("forwarded to the provider:")[1]!.trim();
  return new Map(
    counts
      .split(" ")
      .filter(Boolean)
      .map((pair) => [pair.split("=")[0]!, Number(pair.split("=")[1])] as const),
  );
}

/** Creates a bucket through a fresh bridge; returns the pid of the host that ran it. */
async function createBucket(
  bucket: string,
  extraEnv: Record<string, string> = {},
  provider: Record<string, unknown> = bridge.provider,
): Promise<number> {
  const before = new Set(runningHosts(hostDir));
  const run = await runBridge(
    [
      {
        createResourceRequest: {
          type: "aws_s3_bucket",
          inputProperties: { bucket, provider },
          isStateful: true,
        },
      },
    ],
    { env: { ...bridge.env, ...extraEnv } },
  );
  expect(run.exitCode, run.stderr).toBe(0);
  expect(outputsOf(run.responses[0]).bucket).toBe(bucket);
  // Read back from moto, not from the bridge's answer.
  await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
  const started = runningHosts(hostDir).filter((pid) => !before.has(pid));
  expect(started).toHaveLength(1);
  return started[0]!;
}

function storedSchemas(): string[] {
  const dir = join(cacheDir, "provider-schemas", "registry.terraform.io", "hashicorp", "aws", "5.100.0");
  try {
    return readdirSync(dir).filter((name) => name.endsWith(".schema.pb"));
  } catch {
    return [];
  }
}

describe("a cold provider host", () => {
  it("serves its first create from the schema another host of the binary stored; another binary fetches its own", async () => {
    const first = await createBucket("nixops4-cold-one");
    expect((await forwardedBy(first)).get("GetSchema")).toBe(1);
    // With a fetched schema the engine asks at once: no warm-up.
    expect(hostLog(first).some((l) => l.includes("warm-up validation"))).toBe(false);
    expect(await waitUntil(() => hostLog(first).some((l) => l.includes("written to the disk cache")), 10_000)).toBe(
      true,
    );
    const [stored] = storedSchemas();
    expect(stored).toBeDefined();
    const storedPath = join(cacheDir, "provider-schemas", "registry.terraform.io", "hashicorp", "aws", "5.100.0");
    expect(statSync(join(storedPath, stored!)).mode & 0o777).toBe(0o600);
    expect(statSync(storedPath).mode & 0o777).toBe(0o700);

    // No host runs any more: the next operation starts a cold one.
    stopHost(first);
    expect(await waitUntil(() => !isAlive({ pid: first }), 15_000)).toBe(true);

    // Blocks, a map, a set, a number: the requests the host builds must be the engine's byte for byte.
    const second = await createBucket(
      "nixops4-cold-two",
      {},
      {
        ...bridge.provider,
        max_retries: 5,
        default_tags: [{ tags: { team: "infra", env: "test" } }],
        ignore_tags: [{ keys: ["zeta", "alpha"] }],
      },
    );
    expect(second).not.toBe(first);
    const forwarded = await forwardedBy(second);
    // The engine asked for the schema and got it; the provider was not asked, yet it planned and applied.
    expect(hostLog(second).join("\n")).toMatch(/calls so far: .*\bGetSchema=1\b/);
    expect(forwarded.has("GetSchema")).toBe(false);
    expect(forwarded.get("ApplyResourceChange")).toBe(1);
    expect(hostLog(second).some((l) => l.includes("full schema read from the disk cache"))).toBe(true);
    // Before the engine asked, the host had the provider validate the engine's two requests (its validation walk's,
    // with the credentials unknown, and its plan's); each of the engine's three was answered from those.
    expect(
      hostLog(second).some((l) =>
        l.includes("warm-up validation of the provider configuration: 2 request(s), no error"),
      ),
    ).toBe(true);
    expect(forwarded.get("PrepareProviderConfig")).toBe(2);

    // The same version from another plugin dir is another file: its host asks its provider, and stores its own.
    const third = await createBucket("nixops4-cold-three", { NIXOPS4_OPENTOFU_PLUGIN_DIR: mirrorDir });
    expect((await forwardedBy(third)).get("GetSchema")).toBe(1);
    expect(hostLog(third).some((l) => l.includes("full schema read from the disk cache"))).toBe(false);
    expect(await waitUntil(() => hostLog(third).some((l) => l.includes("written to the disk cache")), 10_000)).toBe(
      true,
    );
    expect(storedSchemas()).toHaveLength(1);
    expect(storedSchemas()[0]).not.toBe(stored);
  });
});
