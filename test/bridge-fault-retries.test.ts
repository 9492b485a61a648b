// Faults during updates, destroys and batches, and what their retries answer: a killed provider or engine during
// an in-place update or a destroy is run again from the state NixOps4 holds (the engine refreshes, so nothing is
// made twice); a killed update that planned a replacement is refused with the ways out; in a batch of creates on
// the provider host, a killed bridge and a failed API call stay with their own resource. Real engine, provider and
// moto; objects are counted through the AWS SDK.
import { DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetBucketTaggingCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { cliMain, outputsOf, runBridge } from "../testkit/bridge-process.js";
import { startFaultRelay } from "../testkit/fault-relay.js";
import { engineProcesses, providerProcesses, spawnBridge } from "../testkit/fault-processes.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { assertValidResponse } from "../testkit/protocol.js";
import { startSlowEndpoint, type SlowEndpoint } from "../testkit/slow-endpoint.js";

let moto: MotoServer;
let bridge: AwsBridgeEnv;
let slow: SlowEndpoint;
let slowEnv: Record<string, string | undefined>;
let ec2: EC2Client;
let s3: S3Client;
const scratch = mkdtempSync(join(tmpdir(), "nixops4-opentofu-retries-"));

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto, { NIXOPS4_OPENTOFU_WAIT_SECONDS: "120" });
  // Every answer 1.5 s late: the cloud has acted while the provider still waits, so a kill then leaves only the
  // cloud knowing what happened.
  slow = await startSlowEndpoint(moto.endpoint, 1500);
  slowEnv = { ...bridge.env, AWS_ENDPOINT_URL: slow.endpoint };
  const client = motoSdkConfig(moto);
  ec2 = new EC2Client(client);
  s3 = new S3Client({ ...client, forcePathStyle: true });
});
afterAll(async () => {
  await slow?.stop();
  bridge?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
  await moto?.stop();
});

const withProvider = (inputs: object, member: string[]) => ({ ...inputs, _member: member, provider: bridge.provider });
const create = (type: string, member: string[], inputs: object) => ({
  createResourceRequest: { type, inputProperties: withProvider(inputs, member), isStateful: true },
});
const update = (type: string, member: string[], inputs: object, outputs: object) => ({
  updateResourceRequest: {
    resource: { type, inputProperties: withProvider(inputs, member), outputProperties: outputs },
    inputProperties: withProvider(inputs, member),
  },
});
const destroy = (type: string, member: string[], inputs: object, outputs: object) => ({
  destroyResourceRequest: {
    resource: { type, inputProperties: withProvider(inputs, member), outputProperties: outputs },
  },
});

const run = (request: object, env = bridge.env) => runBridge([request], { env });
const errorOf = (result: { responses: Record<string, any>[] }) =>
  result.responses[0]?.errorResponse?.message as string | undefined;
const pendingList = async () =>
  (
    await execa(process.execPath, [cliMain, "pending", "list"], {
      env: bridge.env,
      reject: false,
    })
  ).stdout;
const forget = (id: string) =>
  execa(process.execPath, [cliMain, "pending", "forget", id], {
    env: bridge.env,
    reject: false,
  });

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("the cloud never got there");
    await sleep(50);
  }
}

async function groups(description: string) {
  const found = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "description", Values: [description] }] }),
  );
  return (found.SecurityGroups ?? []).map((g) => ({
    id: g.GroupId!,
    tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key, t.Value])),
  }));
}

async function buckets(prefix: string) {
  return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? [])
    .map((b) => b.Name!)
    .filter((name) => name.startsWith(prefix))
    .sort();
}

async function bucketTags(name: string) {
  const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: name }));
  return Object.fromEntries((tagging.TagSet ?? []).map((t) => [t.Key, t.Value]));
}

/** The response line a spawned bridge wrote, checked against the protocol. */
function responseOf(stdout: string) {
  const response = JSON.parse(stdout.split("\n")[0]!) as Record<string, any>;
  assertValidResponse(response);
  return response;
}

function killAll(pids: number[]): void {
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, "SIGKILL");
}

const SG = "aws_security_group";

describe("a provider SIGKILLed on the provider host", () => {
  it("mid-update of a security group's tags and mid-destroy: each retry runs again, one group, then none", async () => {
    const member = ["retries", "providerGroup"];
    const inputs = (v: string) => ({ description: "retries-provider", tags: { v } });
    const created = outputsOf((await run(create(SG, member, inputs("0")))).responses[0]);

    const updating = spawnBridge(update(SG, member, inputs("1"), created), slowEnv);
    await updating.reached("Modifying...");
    // The cloud has the new tags; the provider still waits for the answer, and dies unaware.
    await waitFor(async () => (await groups("retries-provider"))[0]?.tags.v === "1");
    killAll(providerProcesses(slow.endpoint));
    await updating.child;
    expect(errorOf({ responses: [responseOf(updating.stdout())] })).toMatch(
      /Whether aws_security_group was changed is unknown: the next operation on this resource runs the update again if its plan changed the object in place/,
    );
    const retried = await run(update(SG, member, inputs("1"), created));
    // Whether the host's engine still wrote the prior state (adopted) or the host went away with it (run again from
    // the state NixOps4 holds), the recorded plan was in place, so the retry plans again and answers.
    expect(retried.stderr).toMatch(
      /adopting the state kept after an earlier update|\(its plan: update\); it made no new object, so the update runs again/,
    );
    const updated = outputsOf(retried.responses[0]);
    expect(updated.id).toBe(created.id);
    expect(updated.tags).toEqual({ v: "1" });
    expect(await groups("retries-provider")).toEqual([{ id: created.id, tags: { v: "1" } }]);

    const destroying = spawnBridge(destroy(SG, member, inputs("1"), updated), slowEnv);
    await destroying.reached("Destroying...");
    await waitFor(async () => (await groups("retries-provider")).length === 0);
    killAll(providerProcesses(slow.endpoint));
    await destroying.child;
    expect(errorOf({ responses: [responseOf(destroying.stdout())] })).toMatch(
      /the next destroy of this resource runs it again/,
    );
    const destroyed = await run(destroy(SG, member, inputs("1"), updated));
    expect(destroyed.stderr).toMatch(
      /adopting the state kept after an earlier destroy|it made no new object, so the destroy runs from the state NixOps4 holds/,
    );
    expect(destroyed.responses[0]).toEqual({ destroyResourceResponse: {} });
    expect(await groups("retries-provider")).toEqual([]);
    expect(await pendingList()).not.toMatch(/providerGroup/);
  }, 240_000);
});

describe("a provider SIGKILLed on the provider host mid-update that replaces a security group", () => {
  it("keeps the old group's state, but the retry refuses rather than plan a second replacement", async () => {
    const member = ["retries", "providerReplace"];
    const inputs = (description: string) => ({ description, lifecycle: { create_before_destroy: true } });
    const created = outputsOf((await run(create(SG, member, inputs("retries-hostreplace-a")))).responses[0]);
    const updating = spawnBridge(update(SG, member, inputs("retries-hostreplace-b"), created), slowEnv);
    await updating.reached("Creating...");
    await waitFor(async () => (await groups("retries-hostreplace-b")).length === 1);
    killAll(providerProcesses(slow.endpoint));
    await updating.child;
    expect(errorOf({ responses: [responseOf(updating.stdout())] })).toMatch(
      /refuses if the plan made a new object[\s\S]*pending forget/,
    );
    const [replacement] = await groups("retries-hostreplace-b");
    const refused = await run(update(SG, member, inputs("retries-hostreplace-b"), created));
    expect(errorOf(refused)).toMatch(/\(its plan: replace\)[\s\S]*It may have changed or replaced the object/);
    expect((await groups("retries-hostreplace-a")).map((g) => g.id)).toEqual([created.id]);
    expect(await groups("retries-hostreplace-b")).toEqual([replacement]);
  }, 240_000);
});

describe("an engine SIGKILLed on the provider host", () => {
  it("mid-update of a bucket's tags and mid-destroy: each retry runs again, one bucket, then none", async () => {
    const member = ["retries", "engineBucket"];
    const inputs = (v: string) => ({ bucket: "retries-engine", tags: { v } });
    const created = outputsOf((await run(create("aws_s3_bucket", member, inputs("0")))).responses[0]);

    const updating = spawnBridge(update("aws_s3_bucket", member, inputs("1"), created), slowEnv);
    await updating.reached("Modifying...");
    await waitFor(async () => (await bucketTags("retries-engine")).v === "1");
    killAll(engineProcesses("apply", slow.endpoint));
    await updating.child;
    expect(errorOf({ responses: [responseOf(updating.stdout())] })).toMatch(
      /applying failed[\s\S]*Whether aws_s3_bucket was changed is unknown: the next operation on this resource runs the update again/,
    );
    const retried = await run(update("aws_s3_bucket", member, inputs("1"), created));
    expect(retried.stderr).toMatch(/adopting the state kept after an earlier update/);
    const updated = outputsOf(retried.responses[0]);
    expect(updated.tags).toEqual({ v: "1" });
    expect(await buckets("retries-engine")).toEqual(["retries-engine"]);
    expect(await bucketTags("retries-engine")).toEqual({ v: "1" });

    const destroying = spawnBridge(destroy("aws_s3_bucket", member, inputs("1"), updated), slowEnv);
    await destroying.reached("Destroying...");
    await waitFor(async () => (await buckets("retries-engine")).length === 0);
    killAll(engineProcesses("apply", slow.endpoint));
    await destroying.child;
    expect(errorOf({ responses: [responseOf(destroying.stdout())] })).toMatch(
      /applying failed[\s\S]*the next destroy of this resource runs it again/,
    );
    const destroyed = await run(destroy("aws_s3_bucket", member, inputs("1"), updated));
    expect(destroyed.stderr).toMatch(/adopting the state kept after an earlier destroy/);
    expect(destroyed.responses[0]).toEqual({ destroyResourceResponse: {} });
    expect(await buckets("retries-engine")).toEqual([]);
    expect(await pendingList()).not.toMatch(/engineBucket/);
  }, 240_000);
});

describe("a bridge SIGKILLed (no provider host) mid-update that replaces a security group", () => {
  it("is refused by the retried update and by a destroy, which make nothing; forgetting it is the way out", async () => {
    const member = ["retries", "replaced"];
    const local = { ...bridge.env, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" };
    const slowLocal = { ...slowEnv, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" };
    // A new description forces a new group; create_before_destroy makes it before the old one goes.
    const inputs = (description: string) => ({ description, lifecycle: { create_before_destroy: true } });
    const created = outputsOf((await run(create(SG, member, inputs("retries-replace-a")), local)).responses[0]);

    const updating = spawnBridge(update(SG, member, inputs("retries-replace-b"), created), slowLocal);
    await updating.reached("Creating...");
    // The replacement exists in the cloud; nothing records it.
    await waitFor(async () => (await groups("retries-replace-b")).length === 1);
    updating.child.kill("SIGKILL");
    await updating.child;
    const [replacement] = await groups("retries-replace-b");

    const refused = await run(update(SG, member, inputs("retries-replace-b"), created), local);
    const message = errorOf(refused)!;
    expect(message).toMatch(
      /aws_security_group: an earlier operation on this resource \(retries\.replaced\) left a record/,
    );
    expect(message).toMatch(/stopped while it ran and recorded no outcome \(its plan: replace\)/);
    expect(message).toMatch(/It may have changed or replaced the object/);
    const id = /pending forget ([0-9a-f-]{36})/.exec(message)![1]!;
    const refusedDestroy = await run(destroy(SG, member, inputs("retries-replace-a"), created), local);
    expect(errorOf(refusedDestroy)).toMatch(
      /It may have made a new aws_security_group that nothing records[\s\S]*pending forget/,
    );
    expect((await groups("retries-replace-a")).map((g) => g.id)).toEqual([created.id]);
    expect(await groups("retries-replace-b")).toEqual([replacement]);

    // The way out the error names: deal with the unrecorded object, forget the record, run again.
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: replacement!.id }));
    expect((await forget(id)).exitCode).toBe(0);
    const updated = outputsOf(
      (await run(update(SG, member, inputs("retries-replace-b"), created), local)).responses[0],
    );
    expect((await groups("retries-replace-b")).map((g) => g.id)).toEqual([updated.id]);
    expect(await groups("retries-replace-a")).toEqual([]);
  }, 240_000);
});

/** The batch sizes a host under `hostDir` logged. */
function batchSizes(hostDir: string): number[] {
  const log = readdirSync(hostDir)
    .filter((f) => f.endsWith(".log"))
    .map((f) => readFileSync(join(hostDir, f), "utf8"))
    .join("");
  return [...log.matchAll(/engine run for (\d+) operation\(s\) \(/g)].map((m) => Number(m[1]));
}

/** Two slow creates that hold both of the host's batch slots (host-server.ts runs two batches at once), so that
 * operations arriving meanwhile queue and start together, as one batch, once a slot frees. */
async function occupyBothSlots(env: Record<string, string | undefined>, tag: string) {
  const fillers = [1, 2].map((n) =>
    spawnBridge(create(SG, ["retries", "filler", tag, String(n)], { description: `retries-filler-${tag}` }), env),
  );
  await Promise.all(fillers.map((f) => f.reached("Creating...")));
  return async () => {
    await Promise.all(fillers.map((f) => f.child));
    const ids = fillers.map((f) => outputsOf(responseOf(f.stdout())).id as string);
    expect((await groups(`retries-filler-${tag}`)).map((g) => g.id).sort()).toEqual(ids.sort());
  };
}

describe("faults inside one batch of three creates on the provider host", () => {
  it("a bridge SIGKILLed mid-batch: the other two answer their own group, the retry adopts the killed one's", async () => {
    const hostDir = mkdtempSync(join(scratch, "h-"));
    const env = { ...slowEnv, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir };
    const names = ["a", "b", "c"];
    const request = (n: string) => create(SG, ["retries", "batch", n], { description: `retries-batch-${n}` });
    const fillersDone = await occupyBothSlots(env, "kill");
    const bridges = names.map((n) => spawnBridge(request(n), env));
    await Promise.all(bridges.map((b) => b.reached("Creating...")));
    bridges[1]!.child.kill("SIGKILL");
    await Promise.all(bridges.map((b) => b.child));
    await fillersDone();
    expect(batchSizes(hostDir)).toContain(3);
    for (const i of [0, 2]) {
      const outputs = outputsOf(responseOf(bridges[i]!.stdout()));
      expect(outputs.description).toBe(`retries-batch-${names[i]}`);
      expect((await groups(`retries-batch-${names[i]}`)).map((g) => g.id)).toEqual([outputs.id]);
    }
    const retry = await run(request("b"), env);
    expect(retry.stderr).toMatch(/waiting for its outcome|adopting the state kept after an earlier create/);
    const adopted = outputsOf(retry.responses[0]);
    expect((await groups("retries-batch-b")).map((g) => g.id)).toEqual([adopted.id]);
    rmSync(hostDir, { recursive: true, force: true });
  }, 240_000);

  it("one CreateBucket denied: that create alone fails, naming its own bucket; the others succeed; its retry makes it", async () => {
    const denied =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
    // In front of the slow endpoint: the batch of three queues behind two slow creates.
    const relay = await startFaultRelay(
      slow.endpoint,
      [{ operation: "CreateBucket", nth: 2, fault: { kind: "answer", status: 403, body: denied } }],
      { holdMs: 60_000, lifetimeMs: 240_000 },
    );
    const hostDir = mkdtempSync(join(scratch, "h-"));
    try {
      const env = { ...bridge.env, AWS_ENDPOINT_URL: relay.endpoint, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir };
      const names = ["retries-denied-a", "retries-denied-b", "retries-denied-c"];
      const request = (name: string) => create("aws_s3_bucket", ["retries", name], { bucket: name });
      const fillersDone = await occupyBothSlots(env, "denied");
      const results = await Promise.all(names.map((name) => run(request(name), env)));
      await fillersDone();
      expect(batchSizes(hostDir)).toContain(3);
      const failed = names.filter((_, i) => errorOf(results[i]!) !== undefined);
      expect(failed).toHaveLength(1);
      const message = errorOf(results[names.indexOf(failed[0]!)]!)!;
      expect(message).toMatch(/AccessDenied|403/);
      expect(message).toContain(failed[0]);
      for (const other of names.filter((n) => n !== failed[0])) {
        expect(message).not.toContain(other);
        expect(outputsOf(results[names.indexOf(other)]!.responses[0]).bucket).toBe(other);
      }
      expect(await buckets("retries-denied-")).toEqual(names.filter((n) => n !== failed[0]));

      const retried = await run(request(failed[0]!), env);
      expect(outputsOf(retried.responses[0]).bucket).toBe(failed[0]);
      expect(await buckets("retries-denied-")).toEqual(names);
      expect(relay.seen.filter((s) => s.fault).map((s) => s.operation)).toEqual(["CreateBucket"]);
    } finally {
      await relay.stop();
      rmSync(hostDir, { recursive: true, force: true });
    }
  }, 240_000);
});
