// Provider credentials are never in a file while an operation runs: not in the workspace's main.tf.json, not in
// the saved plan, not in the provider host's files, on both paths (provider host, and the engine's own provider
// start). The API is made slow by a relay (testkit/fault-relay.ts), so that there is time to look at every file
// while the engine is in the middle of the call; the credentials still reach the API byte for byte, "${" and all
// (the session token is read back from the request headers), and the object is read back through the AWS SDK.
// And a provider call that never returns is stopped at the operation's deadline on the provider host too, without
// cancelling the calls of another engine run on the same host.
import { GetBucketTaggingCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { execa, type ResultPromise } from "execa";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { bridgeBin, outputsOf, repoRoot } from "../testkit/bridge-process.js";
import { startFaultRelay, type FaultRelay, type FaultRule } from "../testkit/fault-relay.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { filesHolding } from "../testkit/secret-scan.js";
import { waitUntil } from "../testkit/wait.js";

// Each credential has a plain core that any copy of it holds, escaped for main.tf.json ("$${") or not. Made up
// at run time: the test's own source is in vitest's temp files.
const CORES = ["ACCESS", "SECRET", "TOKEN"].map((kind) => `SECRETSTEST${kind}${randomBytes(8).toString("hex")}`);
const ACCESS_KEY = CORES[0]!;
const SECRET_KEY = `sk-\${var.nope}-%{ if true }-$\${x}-${CORES[1]}`;
const TOKEN = `tok-\${file("/etc/hostname")}-%%{y}-${CORES[2]}`;
const DELAY_MS = 6000;

let moto: MotoServer;
let bridge: AwsBridgeEnv;
let s3: S3Client;
const hostDir = mkdtempSync("/tmp/n4s-");
const started = Date.now();

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto, { NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir });
  s3 = new S3Client({ ...motoSdkConfig(moto), forcePathStyle: true });
});
afterAll(async () => {
  bridge?.cleanup();
  await moto?.stop();
  rmSync(hostDir, { recursive: true, force: true });
});

const provider = () => ({ ...bridge.provider, access_key: ACCESS_KEY, secret_key: SECRET_KEY, token: TOKEN });
const create = (bucket: string) => ({
  createResourceRequest: {
    type: "aws_s3_bucket",
    inputProperties: { bucket, provider: provider(), _member: ["secrets", bucket] },
    isStateful: true,
  },
});
const update = (bucket: string, outputs: object, tags: Record<string, string>) => {
  const inputs = { bucket, tags, provider: provider(), _member: ["secrets", bucket] };
  return {
    updateResourceRequest: {
      resource: { type: "aws_s3_bucket", inputProperties: { ...inputs, tags: {} }, outputProperties: outputs },
      inputProperties: inputs,
    },
  };
};

/** Every place a file could be left: the temp dir (workspaces), the bridge's state, cache and host dirs. */
const roots = () => [
  tmpdir(),
  hostDir,
  bridge.stateDir,
  join(repoRoot, ".cache", "bridge"),
  process.env.XDG_RUNTIME_DIR ?? "",
  join(process.env.HOME ?? "/root", ".cache", "nixops4-resources-opentofu"),
];

function spawnBridge(request: object, env: Record<string, string | undefined>) {
  const child: ResultPromise = execa(bridgeBin, [], { env, stdin: "pipe", reject: false });
  child.stdin!.end(JSON.stringify(request) + "\n");
  return child;
}

/** One operation whose `operation` request the relay holds for a while: the files on disk are scanned then. */
async function scanWhileHeld(
  relay: FaultRelay,
  operation: string,
  request: object,
  env: Record<string, string | undefined>,
) {
  const running = spawnBridge(request, env);
  const held = await waitUntil(() => relay.seen.some((s) => s.operation === operation && s.fault === "delay"), 90_000);
  if (!held) throw new Error(`the relay never held ${operation}:\n${String((await running).stderr)}`);
  const scanned = Date.now();
  const holding = filesHolding(roots(), CORES, started);
  // The same scan finds the workspace the engine is working in (its main.tf.json references the variables), and
  // the saved plan too while an update is applied: it looks where the secrets would be.
  const workspaceFiles = filesHolding(roots(), ["nixops4_credential_"], started);
  const scanMs = Date.now() - scanned;
  const result = await running;
  expect(result.exitCode, String(result.stderr)).toBe(0);
  const response = JSON.parse(String(result.stdout).split("\n")[0]!) as Record<string, any>;
  for (const core of CORES) expect(String(result.stderr)).not.toContain(core);
  if (process.env.SECRETS_REPORT)
    console.error(
      `${operation}: ${holding.length} file(s) with a credential, scan ${scanMs} ms:`,
      holding,
      workspaceFiles,
    );
  return { holding, workspaceFiles, response };
}

async function withRelay<T>(
  rules: FaultRule[],
  body: (env: Record<string, string | undefined>, relay: FaultRelay) => Promise<T>,
) {
  const relay = await startFaultRelay(moto.endpoint, rules, {
    holdMs: 60_000,
    lifetimeMs: 300_000,
    recordHeader: "x-amz-security-token",
  });
  try {
    return await body({ ...bridge.env, AWS_ENDPOINT_URL: relay.endpoint }, relay);
  } finally {
    await relay.stop();
  }
}

const slowly: FaultRule[] = [
  { operation: "CreateBucket", fault: { kind: "delay", ms: DELAY_MS } },
  { operation: "PUT /secrets-host", fault: { kind: "delay", ms: DELAY_MS } },
  { operation: "PUT /secrets-local", fault: { kind: "delay", ms: DELAY_MS } },
];

describe.each([
  ["with the provider host", {}],
  ["with the engine's own provider start", { NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" }],
])("provider credentials, %s,", (name, extra) => {
  const bucket = `secrets-${Object.keys(extra).length > 0 ? "local" : "host"}`;

  it("are in no file while a create and an update run, and still reach the API byte for byte", async () => {
    await withRelay(slowly, async (relayEnv, relay) => {
      const env = { ...relayEnv, ...extra };
      const created = await scanWhileHeld(relay, "CreateBucket", create(bucket), env);
      expect(created.holding).toEqual([]);
      expect(created.workspaceFiles.some((path) => path.endsWith("/main.tf.json"))).toBe(true);
      await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();

      const updated = await scanWhileHeld(
        relay,
        `PUT /${bucket}`,
        update(bucket, outputsOf(created.response), { k: "v" }),
        env,
      );
      expect(updated.holding).toEqual([]);
      expect(updated.workspaceFiles.some((path) => path.endsWith("/tfplan"))).toBe(true);
      const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
      expect(tagging.TagSet).toEqual([{ Key: "k", Value: "v" }]);

      const tokens = new Set(relay.seen.map((s) => s.header));
      expect([...tokens]).toEqual([TOKEN]);
      expect(((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).filter((b) => b.Name === bucket)).toHaveLength(
        1,
      );
    });
  }, 240_000);
});

describe("a provider call that never returns, on the provider host", () => {
  const DEADLINE_S = 12;
  const GRACE_MS = 5000; // operationDeadline's least grace period

  it("ends at the operation's deadline, keeps the record, and another engine run's call in flight completes", async () => {
    const rules: FaultRule[] = [
      { operation: "CreateBucket", fault: { kind: "hang" } },
      // The other operation's create is in flight when the hung one's deadline passes.
      { operation: "CreateBucket", nth: 2, fault: { kind: "delay", ms: 12_000 } },
    ];
    await withRelay(rules, async (env, relay) => {
      const start = Date.now();
      const hung = spawnBridge(create("deadline-hung"), {
        ...env,
        NIXOPS4_OPENTOFU_OPERATION_TIMEOUT: String(DEADLINE_S),
      });
      expect(await waitUntil(() => relay.seen.some((s) => s.fault === "hang"), 90_000)).toBe(true);
      const other = spawnBridge(create("deadline-other"), { ...env, NIXOPS4_OPENTOFU_OPERATION_TIMEOUT: "120" });
      expect(await waitUntil(() => relay.seen.some((s) => s.fault === "delay"), 60_000)).toBe(true);

      const hungResult = await hung;
      const elapsed = Date.now() - start;
      const message = (JSON.parse(String(hungResult.stdout).split("\n")[0]!) as Record<string, any>).errorResponse
        ?.message as string;
      if (process.env.SECRETS_REPORT) console.error(`hung create answered after ${elapsed} ms: ${message}`);
      expect(message).toMatch(new RegExp(`ran into its deadline \\(${DEADLINE_S} s, --operation-timeout`));
      // Stopped by its interrupt, not killed after the grace period.
      expect(message).toMatch(/the engine was interrupted\. /);
      expect(message).not.toMatch(/after the grace period/);
      expect(message).toMatch(/Retry once the API answers again[\s\S]*nixops4-opentofu pending list/);
      expect(elapsed).toBeLessThan(DEADLINE_S * 1000 + GRACE_MS);
      // Records are <id>.json; the dir also holds locks and the prune stamp.
      const records = readdirSync(join(bridge.stateDir, "pending"))
        .filter((name) => name.endsWith(".json"))
        .map((name) => JSON.parse(readFileSync(join(bridge.stateDir, "pending", name), "utf8")) as Record<string, any>);
      expect(
        records.filter((r) => (r.member as string[] | undefined)?.join("/") === "secrets/deadline-hung"),
      ).toHaveLength(1);

      const otherResult = await other;
      expect(outputsOf(JSON.parse(String(otherResult.stdout).split("\n")[0]!)).bucket).toBe("deadline-other");
      await expect(s3.send(new HeadBucketCommand({ Bucket: "deadline-other" }))).resolves.toBeDefined();
      expect(relay.seen.filter((s) => s.operation === "CreateBucket")).toHaveLength(2);
    });
  }, 240_000);
});
