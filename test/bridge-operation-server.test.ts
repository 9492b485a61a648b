// The operation server (bridge/operation-server/): the bridges NixOps4 starts hand their sessions to one server per
// way they were started, which a burst starts exactly once; a server that dies mid-operation leaves an answer that
// names the way on, and nothing duplicated; `NIXOPS4_OPENTOFU_OPERATION_SERVER=off` keeps everything in the bridge.
// Real engine, provider and moto; buckets are counted through the AWS SDK.
import { IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { bridgeBin, nativeRelayBin, outputsOf, repoRoot, runBridge } from "../testkit/bridge-process.js";
import { waitUntil } from "../testkit/wait.js";
import { spawnBridge } from "../testkit/fault-processes.js";
import { operationServers, stopHosts, stopOperationServers } from "../testkit/hosts.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { startSlowEndpoint, type SlowEndpoint } from "../testkit/slow-endpoint.js";

let moto: MotoServer;
let bridge: AwsBridgeEnv;
let slow: SlowEndpoint;
let s3: S3Client;
let iam: IAMClient;
// Short: unix socket paths in it must stay under 108 bytes.
const hostDir = mkdtempSync("/tmp/ops-srv-");

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto, { NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir, NIXOPS4_OPENTOFU_WAIT_SECONDS: "120" });
  // Every answer 1.5 s late: the create is still running when the test kills the server.
  slow = await startSlowEndpoint(moto.endpoint, 1500);
  s3 = new S3Client({ ...motoSdkConfig(moto), forcePathStyle: true });
  iam = new IAMClient(motoSdkConfig(moto));
});
afterAll(async () => {
  await stopOperationServers(hostDir);
  await stopHosts(hostDir);
  await slow?.stop();
  bridge?.cleanup();
  await moto?.stop();
  rmSync(hostDir, { recursive: true, force: true });
});

const create = (name: string) => ({
  createResourceRequest: {
    type: "aws_s3_bucket",
    inputProperties: { bucket: name, _member: ["members", name], provider: bridge.provider },
    isStateful: true,
  },
});
// An IAM user takes few API calls to make, so with every answer late its create still ends soon.
const createUser = (name: string) => ({
  createResourceRequest: {
    type: "aws_iam_user",
    inputProperties: { name, _member: ["members", name], provider: bridge.provider },
    isStateful: true,
  },
});

async function userCount(name: string): Promise<number> {
  return ((await iam.send(new ListUsersCommand({}))).Users ?? []).filter((u) => u.UserName === name).length;
}

async function bucketCount(prefix: string): Promise<number> {
  return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).filter((b) => b.Name!.startsWith(prefix)).length;
}

/** Lines of every operation server log in the host dir. */
function serverLog(): string {
  return readdirSync(hostDir)
    .filter((name) => /^ops-.*\.log$/.test(name))
    .map((name) => readFileSync(join(hostDir, name), "utf8"))
    .join("");
}

describe("a burst of bridges on a cold machine", () => {
  it("starts one operation server, which serves all 12 sessions: every bucket made once", async () => {
    expect(operationServers(hostDir)).toEqual([]);
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => runBridge([create(`ops-burst-${i}`)], { env: bridge.env })),
    );
    for (const [i, run] of runs.entries()) {
      expect(run.exitCode).toBe(0);
      expect(outputsOf(run.responses[0]).id).toBe(`ops-burst-${i}`);
      // Each session was served by the server, none by a bridge of its own.
      expect(run.stderr).not.toMatch(/serving in this process/);
    }
    expect(runs.filter((r) => /started operation server/.test(r.stderr))).toHaveLength(1);
    expect(serverLog().match(/serving on /g)).toHaveLength(1);
    expect(operationServers(hostDir)).toHaveLength(1);
    expect(await bucketCount("ops-burst-")).toBe(12);
  });
});

describe("an operation server SIGKILLed mid-create", () => {
  it("leaves an answer naming the type, the server and the way on; the retry adopts the user: exactly one", async () => {
    const env = { ...bridge.env, AWS_ENDPOINT_URL: slow.endpoint };
    const running = spawnBridge(createUser("ops-killed-server"), env);
    await running.reached("Creating...");
    const [server] = operationServers(hostDir).filter((pid) =>
      readFileSync(`/proc/${pid}/environ`, "utf8").includes(slow.endpoint),
    );
    expect(server).toBeDefined();
    process.kill(server!, "SIGKILL");
    const result = await running.child;
    expect(result.exitCode).toBe(1);
    const answer = JSON.parse(running.stdout().split("\n")[0]!);
    expect(answer.errorResponse.message).toMatch(
      new RegExp(`^aws_iam_user: the operation server \\(pid ${server}\\) that ran this operation went away`),
    );
    expect(answer.errorResponse.message).toMatch(
      /the next operation on this resource continues from it \(nixops4-opentofu pending list/,
    );
    // The provider host it handed the operation to finishes it; the retry waits for that outcome and adopts it.
    const retry = await runBridge([createUser("ops-killed-server")], { env });
    expect(outputsOf(retry.responses[0]).id).toBe("ops-killed-server");
    expect(retry.stderr).toMatch(/adopting the state kept after an earlier create/);
    expect(await userCount("ops-killed-server")).toBe(1);
    // A new server took the retry.
    expect(operationServers(hostDir).filter((pid) => pid === server)).toEqual([]);
  });
});

describe("NIXOPS4_OPENTOFU_OPERATION_SERVER=off", () => {
  it("serves the session in the bridge's own process: no server starts", async () => {
    const dir = mkdtempSync("/tmp/ops-off-");
    try {
      const env = { ...bridge.env, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: dir, NIXOPS4_OPENTOFU_OPERATION_SERVER: "off" };
      const run = await runBridge([create("ops-in-process")], { env });
      expect(outputsOf(run.responses[0]).id).toBe("ops-in-process");
      expect(run.stderr).not.toMatch(/operation server/);
      expect(operationServers(dir)).toEqual([]);
      expect(readdirSync(dir).filter((name) => name.startsWith("ops-"))).toEqual([]);
      expect(await bucketCount("ops-in-process")).toBe(1);
    } finally {
      await stopHosts(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A bridge kept open after its one request, for looking at its process before it exits. */
async function openBridge(request: object, env: Record<string, string | undefined>) {
  const child = execa(bridgeBin, [], { env, stdin: "pipe", reject: false, buffer: false });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.write(JSON.stringify(request) + "\n");
  if (!(await waitUntil(() => stdout.includes("\n"), 120_000))) throw new Error(`no answer:\n${stderr}`);
  // The process NixOps4 started: the launcher execs what it runs, so the pid is the relay's or Node's.
  const program = basename(readlinkSync(`/proc/${child.pid}/exe`));
  return { child, program, response: JSON.parse(stdout.split("\n")[0]!), stderr: () => stderr };
}

describe("the native relay (what the launcher runs where the build compiled it)", () => {
  it("serves the session with no Node in the bridge process; a signal between operations ends it at once", async () => {
    const bridgeProcess = await openBridge(create("ops-native"), bridge.env);
    expect(outputsOf(bridgeProcess.response).id).toBe("ops-native");
    expect(bridgeProcess.program).toBe(basename(nativeRelayBin));
    const signalled = Date.now();
    bridgeProcess.child.kill("SIGINT");
    const result = await bridgeProcess.child;
    expect(result.exitCode).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(2000);
    expect(bridgeProcess.stderr()).not.toMatch(/serving in this process/);
    expect(await bucketCount("ops-native")).toBe(1);
  });

  it("hands a setting it does not read as Node does to Node, which finds or starts the server itself", async () => {
    // Number("1e2") is 100 s; the relay reads only plain decimals.
    const env = { ...bridge.env, NIXOPS4_OPENTOFU_OPERATION_SERVER_WAIT_SECONDS: "1e2" };
    const bridgeProcess = await openBridge(create("ops-handed-back"), env);
    expect(outputsOf(bridgeProcess.response).id).toBe("ops-handed-back");
    expect(bridgeProcess.program).toMatch(/^node/);
    bridgeProcess.child.stdin.end();
    expect((await bridgeProcess.child).exitCode).toBe(0);
    expect(bridgeProcess.stderr()).not.toMatch(/serving in this process/);
    expect(await bucketCount("ops-handed-back")).toBe(1);
  });

  it("takes a server's refusal once, and Node serves the session in its own process without asking again", async () => {
    const dir = mkdtempSync("/tmp/ops-ref-");
    const env = { ...bridge.env, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: dir };
    // A server at this key's socket that serves bridges started otherwise (what a key collision looks like).
    const identity = await execa(nativeRelayBin, ["--print-identity", realpathSync(repoRoot)], { env });
    const socketPath = identity.stdout.split("\n")[1]!;
    let hellos = 0;
    const refusing = createServer((socket) => {
      socket.once("data", () => {
        hellos++;
        socket.end(JSON.stringify({ t: "refused", reason: "started otherwise" }) + "\n");
      });
    });
    await new Promise<void>((resolve) => refusing.listen(socketPath, resolve));
    try {
      const run = await runBridge([create("ops-refused")], { env });
      expect(outputsOf(run.responses[0]).id).toBe("ops-refused");
      expect(run.stderr).toMatch(/refused the session \(started otherwise\); serving in this process/);
      expect(run.stderr).not.toMatch(/started operation server/);
      expect(hellos).toBe(1);
      expect(await bucketCount("ops-refused")).toBe(1);
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
      await stopHosts(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
