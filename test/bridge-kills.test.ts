// Kills and closed pipes halfway through an operation (killed bridges, hosts and engines, closed pipes, retries that race the
// killed operation, concurrent operations on one resource) never duplicate, orphan or strand an object, and
// leave no secret on disk. Real engine, provider and moto; objects are counted through the AWS SDK.
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetUserCommand, IAMClient, ListUserTagsCommand } from "@aws-sdk/client-iam";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { cliMain, outputsOf, runBridge } from "../testkit/bridge-process.js";
import { processesWith, spawnBridge } from "../testkit/fault-processes.js";
import { filesHolding } from "../testkit/secret-scan.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { assertValidResponse } from "../testkit/protocol.js";
import { startSlowEndpoint, type SlowEndpoint } from "../testkit/slow-endpoint.js";

const SECRET_KEY = "TOPSECRET-faults-secret-key-4242";
let moto: MotoServer;
let bridge: AwsBridgeEnv;
let slow: SlowEndpoint;
let slowEnv: Record<string, string | undefined>;
let ec2: EC2Client;
let iam: IAMClient;
let s3: S3Client;
const started = Date.now();
const stderrSeen: string[] = [];

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto, { NIXOPS4_OPENTOFU_WAIT_SECONDS: "120" });
  // Every answer 1.5 s late: a create is still running on the host when a killed bridge's retry arrives.
  slow = await startSlowEndpoint(moto.endpoint, 1500);
  slowEnv = { ...bridge.env, AWS_ENDPOINT_URL: slow.endpoint };
  const client = motoSdkConfig(moto);
  ec2 = new EC2Client(client);
  iam = new IAMClient(client);
  s3 = new S3Client({ ...client, forcePathStyle: true });
});
afterAll(async () => {
  await slow?.stop();
  bridge?.cleanup();
  await moto?.stop();
});

const provider = () => ({ ...bridge.provider, secret_key: SECRET_KEY });
const create = (type: string, member: string[], inputs: object) => ({
  createResourceRequest: {
    type,
    inputProperties: { ...inputs, _member: member, provider: provider() },
    isStateful: true,
  },
});
const update = (type: string, member: string[], inputs: object, outputs: object) => ({
  updateResourceRequest: {
    resource: {
      type,
      inputProperties: { ...inputs, _member: member, provider: provider() },
      outputProperties: outputs,
    },
    inputProperties: { ...inputs, _member: member, provider: provider() },
  },
});
const destroy = (type: string, member: string[], inputs: object, outputs: object) => ({
  destroyResourceRequest: {
    resource: {
      type,
      inputProperties: { ...inputs, _member: member, provider: provider() },
      outputProperties: outputs,
    },
  },
});

async function run(request: object, env = bridge.env) {
  const result = await runBridge([request], { env });
  stderrSeen.push(result.stderr);
  return result;
}

async function cli(args: string[]) {
  return execa(process.execPath, [cliMain, ...args], {
    env: bridge.env,
    reject: false,
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(50);
  }
  return condition();
}

async function securityGroups(description: string) {
  const groups = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "description", Values: [description] }] }),
  );
  return (groups.SecurityGroups ?? []).map((g) => g.GroupId!);
}

async function bucketCount(name: string) {
  return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).filter((b) => b.Name === name).length;
}

const SG = "aws_security_group";

describe("a killed bridge's create of a security group (no name: the cloud makes its ID)", () => {
  it("SIGKILLed 0.4 s into its create, then the same create three times: exactly one security group, one answer", async () => {
    const inputs = { description: "faults-killed-early", tags: { case: "killed-early" } };
    const killed = spawnBridge(create(SG, ["members", "early"], inputs), bridge.env);
    await sleep(400);
    killed.child.kill("SIGKILL");
    await killed.child;
    const ids = new Set<string>();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const retry = await run(create(SG, ["members", "early"], inputs));
      ids.add(outputsOf(retry.responses[0]).id);
    }
    expect(ids.size).toBe(1);
    expect(await securityGroups("faults-killed-early")).toEqual([...ids]);
  });

  it("a retry while the operation server still runs the killed bridge's job waits for it and adopts its object", async () => {
    const inputs = { description: "faults-waited", tags: { case: "waited" } };
    const killed = spawnBridge(create(SG, ["members", "waited"], inputs), slowEnv);
    await killed.reached("Creating...");
    killed.child.kill("SIGKILL");
    await killed.child;
    const retry = await run(create(SG, ["members", "waited"], inputs), slowEnv);
    // The killed bridge's session goes on in the operation server, which holds the resource's lock until it ends.
    const waited = /waiting for the operation of process (\d+) on the same resource to finish/.exec(retry.stderr);
    expect(waited, retry.stderr).not.toBeNull();
    expect(readFileSync(`/proc/${waited![1]}/cmdline`, "utf8")).toMatch(/bundle\/operation-server\.js/);
    expect(retry.stderr).toMatch(/adopting the state kept after an earlier create/);
    const id = outputsOf(retry.responses[0]).id;
    expect(await securityGroups("faults-waited")).toEqual([id]);
    expect((await cli(["pending", "list"])).stdout).not.toMatch(/faults-waited|aws_security_group/);
  });

  it("without a provider host: no provider is left running, the retry refuses and names the ways out, import.id adopts", async () => {
    const inputs = { description: "faults-local", tags: { case: "local" } };
    const env = { ...slowEnv, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" };
    const killed = spawnBridge(create(SG, ["members", "local"], inputs), env);
    await killed.reached("Creating...");
    // Killed once the cloud made the group, while the provider still waits for the answer: only the cloud knows.
    expect(await waitFor(async () => (await securityGroups("faults-local")).length === 1)).toBe(true);
    killed.child.kill("SIGKILL");
    await killed.child;
    const refused = await run(create(SG, ["members", "local"], inputs), env);
    const message = refused.responses[0]!.errorResponse.message as string;
    expect(message).toMatch(
      /aws_security_group: an earlier operation on this resource \(members\.local\) left a record/,
    );
    expect(message).toMatch(/bridge \(pid \d+\) stopped while it ran and recorded no outcome/);
    expect(message).toMatch(/inputs\.import\.id/);
    expect(message).toMatch(/nixops4-opentofu pending forget [0-9a-f-]{36}/);
    // The killed bridge's engine and provider were stopped by the next bridge, not left running.
    const describe = (pid: number) => {
      try {
        return `${pid} ${readFileSync(`/proc/${pid}/stat`, "utf8").slice(0, 80)} cwd ${readlinkSync(`/proc/${pid}/cwd`)}`;
      } catch {
        return `${pid} (gone)`;
      }
    };
    // Provider processes the engine starts itself (a provider host's runs with -debug, and the host's own node
    // process names the binary among its arguments).
    const providers = processesWith("terraform-provider-aws", slow.endpoint).filter((pid) => {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return argv[0]!.includes("terraform-provider-aws") && !argv.includes("-debug");
    });
    expect(providers.map(describe), refused.stderr).toEqual([]);
    const groups = await securityGroups("faults-local");
    expect(groups).toHaveLength(1);
    const again = await run(create(SG, ["members", "local"], inputs), env);
    expect(again.responses[0]!.errorResponse.message).toMatch(/pending forget/);
    const adopted = await run(create(SG, ["members", "local"], { ...inputs, import: { id: groups[0] } }), env);
    expect(outputsOf(adopted.responses[0]).id).toBe(groups[0]);
    expect((await cli(["pending", "list"])).stdout).not.toMatch(/members\.local/);
    expect(await securityGroups("faults-local")).toHaveLength(1);
  });
});

describe("a killed engine", () => {
  it("mid-create of a security group on the host: the outcome is unknown, the retry refuses, import.id adopts: one group", async () => {
    const inputs = { description: "faults-engine", tags: { case: "engine" } };
    const running = spawnBridge(create(SG, ["members", "engine"], inputs), slowEnv);
    await running.reached("Creating...");
    expect(await waitFor(async () => (await securityGroups("faults-engine")).length === 1)).toBe(true);
    // The engine the host runs for this operation (the provider is the host's own, started with -debug).
    const engines = processesWith("apply", slow.endpoint).filter((pid) =>
      /(terraform|tofu)$/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!),
    );
    expect(engines.length).toBeGreaterThan(0);
    engines.forEach((pid) => process.kill(pid, "SIGKILL"));
    await running.child;
    const failed = JSON.parse(running.stdout().split("\n")[0]!);
    expect(failed.errorResponse.message).toMatch(
      /Whether aws_security_group was changed is unknown[\s\S]*pending forget/,
    );
    const refused = await run(create(SG, ["members", "engine"], inputs), slowEnv);
    expect(refused.responses[0]!.errorResponse.message).toMatch(
      /may exist in the cloud that nothing records[\s\S]*pending forget/,
    );
    const [group] = await securityGroups("faults-engine");
    const adopted = await run(create(SG, ["members", "engine"], { ...inputs, import: { id: group } }), slowEnv);
    expect(outputsOf(adopted.responses[0]).id).toBe(group);
    expect(await securityGroups("faults-engine")).toEqual([group]);
  }, 240_000);
});

describe("NixOps4 closing both pipes mid-create (no signal)", () => {
  it("the bridge finishes without crashing, keeps the outcome, and the next create adopts it: one bucket", async () => {
    const inputs = { bucket: "faults-pipes" };
    const closed = spawnBridge(create("aws_s3_bucket", ["members", "pipes"], inputs), slowEnv);
    await closed.reached("Creating...");
    closed.child.stdout!.destroy();
    closed.child.stderr!.destroy();
    const result = await closed.child;
    expect(result.exitCode).toBe(0);
    expect((await cli(["pending", "list"])).stdout).toMatch(
      /aws_s3_bucket faults-pipes, create of members\.pipes .*succeeded/,
    );
    const retry = await run(create("aws_s3_bucket", ["members", "pipes"], inputs));
    expect(retry.stderr).toMatch(/adopting the state kept after an earlier create/);
    expect(outputsOf(retry.responses[0]).id).toBe("faults-pipes");
    expect(await bucketCount("faults-pipes")).toBe(1);
  });
});

describe("two members with equal inputs", () => {
  it("never adopt each other's records: each keeps its own security group", async () => {
    const inputs = { description: "faults-twins", tags: { case: "twins" } };
    const closed = spawnBridge(create(SG, ["members", "a"], inputs), bridge.env);
    await closed.reached("Creating...");
    closed.child.stdout!.destroy();
    await closed.child;
    const kept = /(\S+) {2}aws_security_group (sg-\w+), create of members\.a /.exec(
      (await cli(["pending", "list"])).stdout,
    );
    expect(kept).not.toBeNull();
    const b = outputsOf((await run(create(SG, ["members", "b"], inputs))).responses[0]).id;
    expect(b).not.toBe(kept![2]);
    const a = outputsOf((await run(create(SG, ["members", "a"], inputs))).responses[0]).id;
    expect(a).toBe(kept![2]);
    expect((await securityGroups("faults-twins")).sort()).toEqual([a, b].sort());
  });
});

describe("concurrent updates of one resource", () => {
  it("run one at a time (a second waits, one told not to wait is refused), and the answers match the cloud", async () => {
    const member = ["members", "concurrent"];
    const created = outputsOf(
      (await run(create("aws_iam_user", member, { name: "faults-concurrent", tags: { v: "0" } }))).responses[0],
    );
    const first = spawnBridge(
      update("aws_iam_user", member, { name: "faults-concurrent", tags: { v: "1" } }, created),
      slowEnv,
    );
    await first.reached("Modifying...");
    const refused = await run(
      update("aws_iam_user", member, { name: "faults-concurrent", tags: { v: "3" } }, created),
      {
        ...bridge.env,
        NIXOPS4_OPENTOFU_WAIT_SECONDS: "0",
      },
    );
    expect(refused.responses[0]!.errorResponse.message).toMatch(
      /aws_iam_user: another operation on this resource is running \(process \d+\).*nothing was started/,
    );
    const second = await run(update("aws_iam_user", member, { name: "faults-concurrent", tags: { v: "2" } }, created));
    expect(second.stderr).toMatch(/waiting for the operation of process \d+ on the same resource to finish/);
    await first.child;
    const firstOutputs = outputsOf(JSON.parse(first.stdout().split("\n")[0]!));
    expect(firstOutputs.tags).toEqual({ v: "1" });
    const secondOutputs = outputsOf(second.responses[0]);
    expect(secondOutputs.tags).toEqual({ v: "2" });
    expect((await iam.send(new ListUserTagsCommand({ UserName: "faults-concurrent" }))).Tags).toEqual([
      { Key: "v", Value: "2" },
    ]);
  }, 240_000);
});

describe("a killed bridge's update and destroy", () => {
  it("are finished by the host, and the retry continues from its outcome", async () => {
    const member = ["members", "user"];
    const inputs = (v: string) => ({ name: "faults-user", tags: { v } });
    const created = outputsOf((await run(create("aws_iam_user", member, inputs("0")))).responses[0]);

    const updating = spawnBridge(update("aws_iam_user", member, inputs("1"), created), slowEnv);
    await updating.reached("Modifying...");
    updating.child.kill("SIGKILL");
    await updating.child;
    const retried = await run(update("aws_iam_user", member, inputs("1"), created), slowEnv);
    expect(retried.stderr).toMatch(/waiting for its outcome|adopting the state kept/);
    const updated = outputsOf(retried.responses[0]);
    expect(updated.tags).toEqual({ v: "1" });
    expect((await iam.send(new ListUserTagsCommand({ UserName: "faults-user" }))).Tags).toEqual([
      { Key: "v", Value: "1" },
    ]);

    const destroying = spawnBridge(destroy("aws_iam_user", member, inputs("1"), updated), slowEnv);
    await destroying.reached("Destroying...");
    destroying.child.kill("SIGKILL");
    await destroying.child;
    const destroyed = await run(destroy("aws_iam_user", member, inputs("1"), updated), slowEnv);
    expect(destroyed.responses[0]).toEqual({ destroyResourceResponse: {} });
    await expect(iam.send(new GetUserCommand({ UserName: "faults-user" }))).rejects.toThrow(
      /cannot be found|NoSuchEntity/,
    );
    expect((await cli(["pending", "list"])).stdout).not.toMatch(/faults-user|aws_iam_user/);
  }, 240_000);
});

describe("without a provider host, a bridge killed mid-update and mid-destroy (outcome unknown)", () => {
  it("the in-place update's retry runs it again, the destroy's retry destroys", async () => {
    const member = ["members", "localUser"];
    const inputs = (v: string) => ({ name: "faults-local-user", tags: { v } });
    const env = { ...bridge.env, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" };
    const slowLocal = { ...slowEnv, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" };
    const created = outputsOf((await run(create("aws_iam_user", member, inputs("0")), env)).responses[0]);

    const updating = spawnBridge(update("aws_iam_user", member, inputs("1"), created), slowLocal);
    await updating.reached("Modifying...");
    updating.child.kill("SIGKILL");
    await updating.child;
    // Its plan changed the user in place, so running it again from the state NixOps4 holds is safe: the refresh
    // reads what the killed update did (it may have tagged the user already), and the answer is what the cloud holds.
    const rerun = await run(update("aws_iam_user", member, inputs("1"), created), env);
    expect(rerun.stderr).toMatch(
      /\(its plan: update\); it made no new object, so the update runs again from the state NixOps4 holds/,
    );
    const updated = outputsOf(rerun.responses[0]);
    expect(updated.tags).toEqual({ v: "1" });
    expect((await iam.send(new ListUserTagsCommand({ UserName: "faults-local-user" }))).Tags).toEqual([
      { Key: "v", Value: "1" },
    ]);

    const destroying = spawnBridge(destroy("aws_iam_user", member, inputs("1"), updated), slowLocal);
    await destroying.reached("Destroying...");
    destroying.child.kill("SIGKILL");
    await destroying.child;
    const destroyed = await run(destroy("aws_iam_user", member, inputs("1"), updated), env);
    expect(destroyed.responses[0]).toEqual({ destroyResourceResponse: {} });
    await expect(iam.send(new GetUserCommand({ UserName: "faults-local-user" }))).rejects.toThrow(
      /cannot be found|NoSuchEntity/,
    );
    expect((await cli(["pending", "list"])).stdout).not.toMatch(/faults-local-user|aws_iam_user/);
  }, 300_000);
});

describe("a killed provider host", () => {
  it("mid-create of a bucket: the error names the record and the way out, the retry finds the bucket: one bucket", async () => {
    const inputs = { bucket: "faults-host-killed" };
    const running = spawnBridge(create("aws_s3_bucket", ["members", "hostKilled"], inputs), slowEnv);
    await running.reached("Creating...");
    const deadline = Date.now() + 30_000;
    while ((await bucketCount("faults-host-killed")) === 0) {
      if (Date.now() > deadline) throw new Error("the bucket never appeared in moto");
      await sleep(50);
    }
    const hosts = processesWith("bundle/host.js", slow.endpoint);
    expect(hosts.length).toBeGreaterThan(0);
    hosts.forEach((pid) => process.kill(pid, "SIGKILL"));
    await running.child;
    const response = JSON.parse(running.stdout().split("\n")[0]!);
    assertValidResponse(response);
    expect(response.errorResponse.message).toMatch(/Whether aws_s3_bucket was changed is unknown/);
    expect(response.errorResponse.message).toMatch(/nixops4-opentofu pending forget [0-9a-f-]{36}/);
    const retry = await run(create("aws_s3_bucket", ["members", "hostKilled"], inputs), slowEnv);
    expect(retry.stderr).toMatch(/looking for the object it may have made \(import ID "faults-host-killed"\)/);
    expect(outputsOf(retry.responses[0]).id).toBe("faults-host-killed");
    expect(await bucketCount("faults-host-killed")).toBe(1);
  });
});

describe("after every fault above", () => {
  it("no file holds the provider's secret key, and no error or log line showed it", async () => {
    for (const text of stderrSeen) expect(text).not.toContain(SECRET_KEY);
    const roots = [
      tmpdir(),
      bridge.stateDir,
      process.env.XDG_RUNTIME_DIR ?? "",
      join(process.env.HOME ?? "/root", ".cache", "nixops4-resources-opentofu"),
    ];
    expect(filesHolding(roots, [SECRET_KEY], started)).toEqual([]);
  });
});
