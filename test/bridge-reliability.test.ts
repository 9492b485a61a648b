// Failures halfway through must leave the user able to continue: nothing in the cloud lost or duplicated, no
// secret printed, every fault answered with an error that says what to fix. Real engine, provider and moto.
import {
  CreatePolicyCommand,
  CreateUserCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { bridgeBin, cliMain, outputsOf, runBridge } from "../testkit/bridge-process.js";
import { filesHolding } from "../testkit/secret-scan.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { assertValidResponse } from "../testkit/protocol.js";
import { startSlowEndpoint } from "../testkit/slow-endpoint.js";

let moto: MotoServer;
let bridge: AwsBridgeEnv;
let iam: IAMClient;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto);
  const client = motoSdkConfig(moto);
  iam = new IAMClient(client);
  s3 = new S3Client({ ...client, forcePathStyle: true });
});
afterAll(async () => {
  bridge?.cleanup();
  await moto?.stop();
});

async function run(requests: object[], env = bridge.env) {
  return runBridge(requests, { env });
}

const createRequest = (type: string, inputs: object) => ({
  createResourceRequest: { type, inputProperties: { ...inputs, provider: bridge.provider }, isStateful: true },
});

const ASSUME = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

describe("a create that fails after the provider made the object", () => {
  it("is adopted by the retry: exactly one object, no 'already exists'", async () => {
    // The role is created, then attaching a policy that does not exist yet fails: the provider records no state.
    const inputs = {
      name: "half-made-role",
      assume_role_policy: ASSUME,
      managed_policy_arns: ["arn:aws:iam::123456789012:policy/arrives-later"],
    };
    const failed = await run([createRequest("aws_iam_role", inputs)]);
    expect(failed.responses[0]!.errorResponse.message).toMatch(/aws_iam_role: applying failed:[\s\S]*NoSuchEntity/);
    expect((await iam.send(new GetRoleCommand({ RoleName: "half-made-role" }))).Role).toBeDefined();

    await iam.send(
      new CreatePolicyCommand({
        PolicyName: "arrives-later",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }],
        }),
      }),
    );
    const retried = await run([createRequest("aws_iam_role", inputs)]);
    const outputs = outputsOf(retried.responses[0]);
    expect(retried.stderr).toMatch(/earlier create failed/);
    expect(outputs.arn).toMatch(/:role\/half-made-role$/);
    const roles = await iam.send(new ListRolesCommand({}));
    expect(roles.Roles?.filter((r) => r.RoleName === "half-made-role")).toHaveLength(1);
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "half-made-role" }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(["arrives-later"]);

    // The adopting create succeeded, so its record is gone: the store is empty again (the first test of this file).
    const pending = await execa(process.execPath, [cliMain, "pending", "list"], {
      env: bridge.env,
    });
    expect(pending.exitCode).toBe(0);
    expect(pending.stderr).toMatch(/no kept states in /);
    expect(pending.stdout).not.toMatch(/half-made-role|aws_iam_role/);
  });
});

/** Starts a bridge on one request and resolves once the engine reports that it is creating the object. */
async function startUntilCreating(request: object, env: Record<string, string | undefined>) {
  const child = execa(bridgeBin, [], { env, stdin: "pipe", reject: false, buffer: false });
  let stderr = "";
  const creating = new Promise<void>((resolve) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("Creating...")) resolve();
    });
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdin.write(JSON.stringify(request) + "\n");
  await creating;
  return { child, stderr: () => stderr, stdout: () => stdout };
}

describe("a create that meets an object of the same name", () => {
  it("fails, and the retry does not take the existing object over either; import.id adopts it on request", async () => {
    // Someone else's user, made outside NixOps4.
    await iam.send(new CreateUserCommand({ UserName: "someone-elses", Tags: [{ Key: "owner", Value: "them" }] }));
    const request = createRequest("aws_iam_user", { name: "someone-elses", tags: { owner: "us" } });
    for (const attempt of [1, 2]) {
      const failed = await run([request]);
      const message = failed.responses[0]!.errorResponse.message as string;
      expect(message, `attempt ${attempt}`).toMatch(/EntityAlreadyExists/);
      expect(message).toContain('adopt it with inputs.import.id = "someone-elses"; otherwise choose another name');
      expect(failed.stderr).not.toMatch(/earlier create failed/);
    }
    // Untouched: not adopted, not retagged.
    expect((await iam.send(new ListUserTagsCommand({ UserName: "someone-elses" }))).Tags).toEqual([
      { Key: "owner", Value: "them" },
    ]);

    const adopted = await run([
      createRequest("aws_iam_user", { name: "someone-elses", tags: { owner: "us" }, import: { id: "someone-elses" } }),
    ]);
    expect(outputsOf(adopted.responses[0]).id).toBe("someone-elses");
    expect((await iam.send(new ListUserTagsCommand({ UserName: "someone-elses" }))).Tags).toEqual([
      { Key: "owner", Value: "us" },
    ]);
  });
});

describe("SIGINT during an apply", () => {
  it("lets the engine finish, keeps the state, and the rerun adopts the object: exactly one bucket", async () => {
    const request = createRequest("aws_s3_bucket", { bucket: "interrupted-bucket", tags: { try: "1" } });
    const started = await startUntilCreating(request, bridge.env);
    started.child.kill("SIGINT");
    const result = await started.child;
    const stderr = started.stderr();
    expect(stderr).toMatch(/SIGINT received: letting the engine finish/);
    expect(result.exitCode).not.toBe(0);
    const lines = started.stdout().split("\n").filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(1);
    lines.forEach((l) => assertValidResponse(JSON.parse(l)));

    const list = await execa(process.execPath, [cliMain, "pending", "list"], {
      env: bridge.env,
    });
    expect(list.stdout).toMatch(/aws_s3_bucket/);

    // NixOps4 never persisted anything (it was interrupted too), so it sends the same create again.
    const rerun = await run([request]);
    const outputs = outputsOf(rerun.responses[0]);
    expect(outputs.id).toBe("interrupted-bucket");
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.filter((b) => b.Name === "interrupted-bucket")).toHaveLength(1);
    const after = await execa(process.execPath, [cliMain, "pending", "list"], {
      env: bridge.env,
    });
    expect(after.stdout).not.toMatch(/interrupted-bucket|aws_s3_bucket/);
  });

  it("exits at once when idle", async () => {
    const child = execa(bridgeBin, [], { env: bridge.env, stdin: "pipe", reject: false });
    // Ready and idle once it has answered a request.
    const answered = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdin.write("not json\n");
    await answered;
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stdout.split("\n").filter(Boolean)).toHaveLength(1);
  });
});

describe("concurrent operations", () => {
  it("runs six operations of the same provider configuration at once, batched by the host, without interference", async () => {
    // A host of its own, so that its log shows only these operations.
    const hostDir = await mkdtemp(join(tmpdir(), "h-"));
    const env = { ...bridge.env, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir };
    const names = ["conc-a", "conc-b", "conc-c", "conc-d", "conc-e", "conc-f"];
    const isBucket = (i: number) => i % 2 === 0;
    const inputsOf = (name: string, i: number) => (isBucket(i) ? { bucket: name } : { name });
    const typeOf = (i: number) => (isBucket(i) ? "aws_s3_bucket" : "aws_iam_user");
    const creates = await Promise.all(names.map((name, i) => run([createRequest(typeOf(i), inputsOf(name, i))], env)));
    const outputs = creates.map((c) => outputsOf(c.responses[0]));
    expect(outputs.map((o) => o.id)).toEqual(names);
    // each bridge printed its own resource's progress, not its neighbours'
    creates.forEach((c, i) => {
      expect(c.stderr).toContain(`[id=${names[i]}]`);
      for (const other of names.filter((n) => n !== names[i])) expect(c.stderr).not.toContain(`[id=${other}]`);
    });
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [];
    const users = (await iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName) ?? [];
    expect(buckets.filter((b) => b?.startsWith("conc-")).sort()).toEqual(["conc-a", "conc-c", "conc-e"]);
    expect(users.filter((u) => u?.startsWith("conc-")).sort()).toEqual(["conc-b", "conc-d", "conc-f"]);

    await Promise.all(
      names.map((name, i) =>
        run(
          [
            {
              destroyResourceRequest: {
                resource: {
                  type: typeOf(i),
                  inputProperties: { ...inputsOf(name, i), provider: bridge.provider },
                  outputProperties: outputs[i],
                },
              },
            },
          ],
          env,
        ),
      ),
    );
    const bucketsAfter = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [];
    const usersAfter = (await iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName) ?? [];
    expect([...bucketsAfter, ...usersAfter].filter((n) => n?.startsWith("conc-"))).toEqual([]);

    // Twelve operations took fewer engine runs than that: the host put concurrent ones in one workspace.
    const log = readdirSync(hostDir)
      .filter((f) => f.endsWith(".log"))
      .map((f) => readFileSync(join(hostDir, f), "utf8"))
      .join("");
    const batches = [...log.matchAll(/engine run for (\d+) operation\(s\) \(\d+ waiting, /g)].map((m) => Number(m[1]));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(12);
    expect(batches.length).toBeLessThan(12);
    rmSync(hostDir, { recursive: true, force: true });
  });
});

/** The provider processes whose environment points at `endpoint`. */
function providerPids(endpoint: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (!cmdline.includes("terraform-provider-aws")) continue;
      const environ = readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      if (environ.includes(`AWS_ENDPOINT_URL=${endpoint}`)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function killProviders(endpoint = moto.endpoint): number {
  const pids = providerPids(endpoint);
  for (const pid of pids) process.kill(pid, "SIGKILL");
  return pids.length;
}

describe("a provider that crashes", () => {
  it("while idle is replaced by the next operation", async () => {
    outputsOf((await run([createRequest("aws_iam_user", { name: "before-crash" })])).responses[0]);
    expect(killProviders()).toBeGreaterThan(0);
    const after = await run([createRequest("aws_iam_user", { name: "after-crash" })]);
    expect(outputsOf(after.responses[0]).id).toBe("after-crash");
  });

  it("during an apply fails with a clear error, and the retry adopts the object: exactly one bucket", async () => {
    // Responses come back 3 s late: the bucket exists in moto while the provider still waits, and dies, unaware.
    const slow = await startSlowEndpoint(moto.endpoint, 3000);
    const env = { ...bridge.env, AWS_ENDPOINT_URL: slow.endpoint };
    const request = createRequest("aws_s3_bucket", { bucket: "crash-bucket" });
    const { child, stdout } = await startUntilCreating(request, env);
    // Kill the provider as soon as moto has the bucket, while the provider still waits for the answer.
    const deadline = Date.now() + 30_000;
    while (!(await s3.send(new ListBucketsCommand({}))).Buckets?.some((b) => b.Name === "crash-bucket")) {
      if (Date.now() > deadline) throw new Error("the bucket never appeared in moto");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(killProviders(slow.endpoint)).toBeGreaterThan(0);
    child.stdin.end();
    await child;
    await slow.stop();
    const response = JSON.parse(stdout().split("\n")[0]!);
    assertValidResponse(response);
    expect(response.errorResponse.message).toMatch(/aws_s3_bucket: applying failed:[\s\S]*(plugin|provider)/i);

    const rerun = await run([request]);
    expect(outputsOf(rerun.responses[0]).id).toBe("crash-bucket");
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.filter((b) => b.Name === "crash-bucket")).toHaveLength(1);
  });
});

describe("a resource's own timeouts block", () => {
  it("bounds the provider's wait, the failed create's state is kept, and the retry replaces the tainted object: one bucket", async () => {
    // CreateBucket goes through; the lookup that follows answers 404 (as an eventually consistent API may), so the
    // provider waits for the bucket to appear until the 2 s create timeout, then fails with the bucket's id set.
    const relay = await startSlowEndpoint(moto.endpoint, 0, (method, path) =>
      method === "HEAD" && path.startsWith("/timed-out-bucket") ? 404 : undefined,
    );
    const request = createRequest("aws_s3_bucket", { bucket: "timed-out-bucket", timeouts: { create: "2s" } });
    const started = Date.now();
    const failed = await run([request], { ...bridge.env, AWS_ENDPOINT_URL: relay.endpoint });
    const elapsedMs = Date.now() - started;
    await relay.stop();
    const message = failed.responses[0]!.errorResponse.message;
    expect(message).toMatch(
      /aws_s3_bucket: applying failed:[\s\S]*waiting for S3 Bucket \(timed-out-bucket\) create: couldn't find resource/,
    );
    expect(message).toMatch(
      /its state is kept at .*pending.* and the next create or update of this resource adopts it/,
    );
    // The default create timeout is 20 minutes: the 2 s one was applied.
    expect(elapsedMs).toBeLessThan(30_000);
    expect(
      (await s3.send(new ListBucketsCommand({}))).Buckets?.filter((b) => b.Name === "timed-out-bucket"),
    ).toHaveLength(1);

    // Terraform marks an object whose create failed after it was made as tainted; the retry replaces it.
    const retried = await run([request]);
    expect(retried.stderr).toMatch(/adopting the state kept after an earlier create/);
    expect(retried.stderr).toMatch(/Plan to replace \(tainted\)/);
    const outputs = outputsOf(retried.responses[0]);
    expect(outputs.id).toBe("timed-out-bucket");
    expect(outputs.timeouts).toEqual({ create: "2s", delete: null, read: null, update: null });
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.filter((b) => b.Name === "timed-out-bucket")).toHaveLength(1);
  });
});

describe("engine and environment faults", () => {
  it("names the plugin dir when the provider binary is missing", async () => {
    const empty = await mkdtemp(join(tmpdir(), "empty-mirror-"));
    const result = await run([createRequest("aws_iam_user", { name: "never" })], {
      ...bridge.env,
      NIXOPS4_OPENTOFU_PLUGIN_DIR: empty,
    });
    expect(result.responses[0]!.errorResponse.message).toMatch(
      new RegExp(`could not install provider hashicorp/aws 5.100.0 from the plugin dir ${empty}`),
    );
  });

  it("says where the workspace could not be created", async () => {
    const result = await run([createRequest("aws_iam_user", { name: "never" })], {
      ...bridge.env,
      TMPDIR: "/nonexistent/tmp",
    });
    expect(result.responses[0]!.errorResponse.message).toMatch(
      /cannot create a private workspace directory under \/nonexistent\/tmp.*set TMPDIR/,
    );
  });

  it("reports an unreachable API as an error without hanging or leaving state behind", async () => {
    const provider = { ...bridge.provider, max_retries: 1 };
    const env = { ...bridge.env, AWS_ENDPOINT_URL: "http://127.0.0.1:9" };
    const started = Date.now();
    const result = await runBridge(
      [
        {
          createResourceRequest: {
            type: "aws_iam_user",
            inputProperties: { name: "unreachable", provider },
            isStateful: true,
          },
        },
      ],
      { env },
    );
    expect(result.responses[0]!.errorResponse.message).toMatch(
      /aws_iam_user: applying failed:[\s\S]*(connection refused|connect)/i,
    );
    expect(Date.now() - started).toBeLessThan(120_000);
  });
});

describe("secrets", () => {
  it("never appear on stderr, in error messages or in files outside the workspace", async () => {
    const secretValue = "TOPSECRET-ssm-value-4711";
    const secretKey = "TOPSECRET-provider-secret-key-0815";
    const provider = { ...bridge.provider, secret_key: secretKey };
    const started = Date.now();
    const params = (value: string, extra: object = {}) => ({
      name: "/secret/scan",
      type: "SecureString",
      value,
      ...extra,
      provider,
    });
    const created = await run([
      { createResourceRequest: { type: "aws_ssm_parameter", inputProperties: params(secretValue), isStateful: true } },
    ]);
    const outputs = outputsOf(created.responses[0]);
    // A failing update whose diagnostic points at the line holding the value (value conflicts with insecure_value).
    const failed = await run([
      {
        updateResourceRequest: {
          resource: { type: "aws_ssm_parameter", inputProperties: params(secretValue), outputProperties: outputs },
          inputProperties: params(secretValue, { insecure_value: "plain" }),
        },
      },
    ]);
    // The update must really fail (a provider error is what could quote the value), and the scan covers this
    // test's own runs, whatever ran before it.
    expect(failed.responses[0]).toHaveProperty("errorResponse");
    const message = failed.responses[0]!.errorResponse.message as string;
    expect(message).toMatch(/aws_ssm_parameter/);
    expect(message).not.toContain(secretValue);
    expect(message).not.toContain(secretKey);
    for (const text of [created.stderr, failed.stderr]) {
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain(secretValue);
      expect(text).not.toContain(secretKey);
    }
    // Files written since this test started, in the temp dir, the bridge's cache, state and runtime dirs.
    const roots = [
      tmpdir(),
      bridge.env.NIXOPS4_OPENTOFU_CACHE_DIR!,
      bridge.stateDir,
      join(process.env.HOME ?? "/root", ".cache", "nixops4-resources-opentofu"),
    ];
    expect(filesHolding(roots, [secretValue, secretKey], started)).toEqual([]);
  });
});
