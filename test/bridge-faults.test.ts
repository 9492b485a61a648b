// Safety under faults, part one: inputs reach the provider as data, a guessed import never strands a create, an
// import never destroys, and an API that never answers cannot hang an operation. Real engine, provider and moto;
// faults come from a relay of our own (testkit/fault-relay.ts). Every check reads the cloud through the AWS
// SDK, or the bridge's files on disk, never the bridge's own answer.
import {
  CreateUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListUserPoliciesCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import {
  CreateBucketCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { outputsOf, runBridge } from "../testkit/bridge-process.js";
import { startFaultRelay, type FaultRelay, type FaultRule } from "../testkit/fault-relay.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";

let moto: MotoServer;
let bridge: AwsBridgeEnv;
let iam: IAMClient;
let s3: S3Client;
let ssm: SSMClient;
const scratch = mkdtempSync(join(tmpdir(), "nixops4-opentofu-faults-"));

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto);
  const client = motoSdkConfig(moto);
  iam = new IAMClient(client);
  s3 = new S3Client({ ...client, forcePathStyle: true });
  ssm = new SSMClient(client);
});
afterAll(async () => {
  bridge?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
  await moto?.stop();
});

const createRequest = (type: string, inputs: object, provider: object = bridge.provider) => ({
  createResourceRequest: { type, inputProperties: { provider, ...inputs }, isStateful: true },
});

/** The bridge run against a relay in front of moto that applies `rules`. */
async function withRelay<T>(
  rules: FaultRule[],
  body: (env: Record<string, string | undefined>, relay: FaultRelay) => Promise<T>,
): Promise<T> {
  const relay = await startFaultRelay(moto.endpoint, rules, { holdMs: 90_000, lifetimeMs: 300_000 });
  try {
    return await body({ ...bridge.env, AWS_ENDPOINT_URL: relay.endpoint }, relay);
  } finally {
    await relay.stop();
  }
}

const error = (run: { responses: Record<string, any>[] }) =>
  run.responses[0]?.errorResponse?.message as string | undefined;
const bucketCount = async (name: string) =>
  ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).filter((b) => b.Name === name).length;
const userCount = async (name: string) =>
  ((await iam.send(new ListUsersCommand({}))).Users ?? []).filter((u) => u.UserName === name).length;

describe("inputs are data", () => {
  const marker = join(scratch, "marker");
  writeFileSync(marker, "FILE-CONTENT-MUST-NOT-BE-READ");
  const templates = {
    "k${path.cwd}": `\${file("${marker}")}`,
    directive: "%{ if true }yes%{ endif }",
    escaped: "$${x}",
    escapedDirective: "%%{y}",
    mixed: "$$${z} and %%%{w}",
  };

  it("reach the API byte for byte, in resource arguments, map keys, the provider block and nested blocks", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::home/${aws:username}/*" }],
    });
    const provider = { ...bridge.provider, default_tags: [{ tags: { fromProvider: "${path.module}/%{x}" } }] };
    const run = await runBridge(
      [
        createRequest("aws_s3_bucket", { bucket: "template-tags", tags: templates }, provider),
        createRequest("aws_iam_user", { name: "template-user" }),
        createRequest("aws_iam_user_policy", { user: "template-user", name: "home-dir", policy }),
      ],
      { env: bridge.env },
    );
    run.responses.forEach((r) => outputsOf(r));
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: "template-tags" }));
    const tags = Object.fromEntries((tagging.TagSet ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toEqual({ ...templates, fromProvider: "${path.module}/%{x}" });
    const stored = await iam.send(new GetUserPolicyCommand({ UserName: "template-user", PolicyName: "home-dir" }));
    expect(JSON.parse(decodeURIComponent(stored.PolicyDocument!)).Statement[0].Resource).toBe(
      "arn:aws:s3:::home/${aws:username}/*",
    );
  });

  it("are not evaluated in the provider configuration either: no file is read into an error", async () => {
    const run = await runBridge(
      [createRequest("aws_iam_user", { name: "never-made" }, { ...bridge.provider, region: `\${file("${marker}")}` })],
      {
        env: bridge.env,
      },
    );
    expect(error(run)).toBeDefined();
    expect(error(run)).toContain(`\${file("${marker}")}`);
    expect(`${error(run)}\n${run.stderr}`).not.toContain("FILE-CONTENT-MUST-NOT-BE-READ");
    expect(await userCount("never-made")).toBe(0);
  });
});

describe("a failed create retried", () => {
  it("aws_iam_user_policy before its user: fails, the retry after the user exists creates exactly one policy", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }],
    });
    const request = createRequest("aws_iam_user_policy", { user: "arrives-late", name: "late-policy", policy });
    const failed = await runBridge([request], { env: bridge.env });
    expect(error(failed)).toMatch(/aws_iam_user_policy: applying failed:[\s\S]*NoSuchEntity/);

    await iam.send(new CreateUserCommand({ UserName: "arrives-late" }));
    const retried = await runBridge([request], { env: bridge.env });
    expect(outputsOf(retried.responses[0]).id).toBe("arrives-late:late-policy");
    // The guess was in the provider's import format: it found nothing (rather than being rejected as malformed).
    expect(retried.stderr).toMatch(
      /import ID "arrives-late:late-policy"[\s\S]*no object from the earlier failed attempt exists; creating it/,
    );
    const policies = await iam.send(new ListUserPoliciesCommand({ UserName: "arrives-late" }));
    expect(policies.PolicyNames).toEqual(["late-policy"]);
  });

  it("a bucket whose CreateBucket got a one-off 403: the retry creates it, exactly one bucket", async () => {
    const denied =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
    await withRelay(
      [{ operation: "CreateBucket", fault: { kind: "answer", status: 403, body: denied } }],
      async (env) => {
        const request = createRequest("aws_s3_bucket", { bucket: "denied-once" });
        const failed = await runBridge([request], { env });
        expect(error(failed)).toMatch(/AccessDenied|403/);
        expect(await bucketCount("denied-once")).toBe(0);

        const retried = await runBridge([request], { env });
        expect(outputsOf(retried.responses[0]).bucket).toBe("denied-once");
        expect(retried.stderr).toMatch(/no object from the earlier failed attempt exists; creating it/);
        expect(await bucketCount("denied-once")).toBe(1);
      },
    );
  });

  it("an answer lost after IAM made the user: the retries never duplicate, and the error names import.id", async () => {
    await withRelay([{ operation: "CreateUser", fault: { kind: "drop-answer" } }], async (env, relay) => {
      const request = createRequest("aws_iam_user", { name: "answer-lost" });
      for (const attempt of [1, 2]) {
        const failed = await runBridge([request], { env });
        expect(error(failed), `attempt ${attempt}`).toContain('adopt it with inputs.import.id = "answer-lost"');
        expect(await userCount("answer-lost")).toBe(1);
      }
      // The provider's request reached IAM and its answer was dropped: the SDK's own retry met the user it made.
      expect(relay.seen.filter((s) => s.operation === "CreateUser").slice(0, 2)).toEqual([
        { operation: "CreateUser", fault: "drop-answer" },
        { operation: "CreateUser" },
      ]);
      const adopted = await runBridge(
        [createRequest("aws_iam_user", { name: "answer-lost", import: { id: "answer-lost" } })],
        { env },
      );
      expect(outputsOf(adopted.responses[0]).id).toBe("answer-lost");
      expect(await userCount("answer-lost")).toBe(1);
    });
  });
});

describe("an import", () => {
  it("that the plan would replace is refused before apply, naming the argument; the imported bucket stays", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "imported-keep" }));
    const run = await runBridge(
      [createRequest("aws_s3_bucket", { bucket: "imported-other", import: { id: "imported-keep" } })],
      { env: bridge.env },
    );
    expect(error(run)).toMatch(
      /refusing to import: the object imported by import.id "imported-keep" differs in `bucket` \(existing "imported-keep", inputs "imported-other"\), which forces a replacement/,
    );
    await expect(s3.send(new HeadBucketCommand({ Bucket: "imported-keep" }))).resolves.toBeDefined();
    expect(await bucketCount("imported-other")).toBe(0);
  });
});

describe("a guessed import", () => {
  it("that finds an object the plan would replace is refused, and the object stays", async () => {
    const denied =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
    await withRelay(
      [{ operation: "CreateBucket", fault: { kind: "answer", status: 403, body: denied } }],
      async (env) => {
        const request = createRequest("aws_s3_bucket", { bucket: "guess-finds-other", object_lock_enabled: true });
        expect(error(await runBridge([request], { env }))).toMatch(/AccessDenied|403/);
        // Meanwhile someone else makes a bucket of that name, without object lock.
        await s3.send(new CreateBucketCommand({ Bucket: "guess-finds-other" }));
        const retried = await runBridge([request], { env });
        expect(error(retried)).toMatch(
          /refusing to import: the object found by the import ID "guess-finds-other" \(guessed[\s\S]*`object_lock_enabled` \(existing false, inputs true\)[\s\S]*pending forget/,
        );
        await expect(s3.send(new HeadBucketCommand({ Bucket: "guess-finds-other" }))).resolves.toBeDefined();
        expect(await bucketCount("guess-finds-other")).toBe(1);
      },
    );
  });
});

describe("an API that accepts a request and never answers", () => {
  it("gets an error within the deadline plus grace, and the retry after the fault makes exactly one bucket", async () => {
    await withRelay([{ operation: "CreateBucket", fault: { kind: "hang" } }], async (env, relay) => {
      const request = createRequest("aws_s3_bucket", { bucket: "hung-create" });
      const started = Date.now();
      const hung = await runBridge([request], {
        env: { ...env, NIXOPS4_OPENTOFU_OPERATION_TIMEOUT: "25" },
        timeoutMs: 90_000,
      });
      const elapsed = Date.now() - started;
      expect(hung.exitCode).toBe(0);
      expect(error(hung)).toMatch(/ran into its deadline \(25 s, --operation-timeout/);
      // 25 s deadline + 5 s grace, plus the bridge's own start and answer.
      expect(elapsed).toBeLessThan(45_000);
      expect(relay.seen).toContainEqual({ operation: "CreateBucket", fault: "hang" });
      if (process.env.FAULTS_REPORT) console.error(`hung create answered after ${elapsed} ms: ${error(hung)}`);
      expect(await bucketCount("hung-create")).toBe(0);

      const retried = await runBridge([request], { env });
      expect(outputsOf(retried.responses[0]).bucket).toBe("hung-create");
      expect(await bucketCount("hung-create")).toBe(1);
    });
  });
});

describe("kept records", () => {
  it("are redacted like error responses: an API error that echoes a SecureString value is not stored in clear", async () => {
    const secret = "kept-record-secret-value-77";
    const echo = JSON.stringify({
      __type: "ValidationException",
      message: `Value '${secret}' at 'value' failed to satisfy constraint`,
    });
    await withRelay(
      [
        {
          operation: "PutParameter",
          fault: { kind: "answer", status: 400, body: echo, contentType: "application/x-amz-json-1.1" },
        },
      ],
      async (env) => {
        const run = await runBridge(
          [createRequest("aws_ssm_parameter", { name: "/faults/echo", type: "SecureString", value: secret })],
          { env },
        );
        expect(error(run)).toMatch(/ValidationException/);
        expect(error(run)).not.toContain(secret);
        const pending = join(bridge.stateDir, "pending");
        const records = readdirSync(pending).map((name) => readFileSync(join(pending, name), "utf8"));
        const own = records.filter((text) => text.includes("aws_ssm_parameter"));
        expect(own).toHaveLength(1);
        expect(own[0]).toMatch(/ValidationException/);
        expect(own[0]).not.toContain(secret);
      },
    );
    await expect(ssm.send(new GetParameterCommand({ Name: "/faults/echo" }))).rejects.toThrow();
  });
});
