// Ctrl-C on the path users run, the provider host: a terminal's SIGINT reaches every bridge of the process group.
// Each bridge answers within 2 s; the host gives the engine of a run whose operations were all interrupted its
// one SIGINT, so that the calls in flight finish and their state is written; the host keeps that state for the
// bridges that left; the rerun adopts every object. Counted in moto, through a relay that holds each AWS answer
// back 8 s so that the interrupt lands while the creates are in flight.
import { IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import { execa, type ResultPromise } from "execa";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { bridgeBin, outputsOf, runBridge } from "../testkit/bridge-process.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { assertValidResponse } from "../testkit/protocol.js";
import { startSlowEndpoint, type SlowEndpoint } from "../testkit/slow-endpoint.js";
import { stopHosts } from "../testkit/hosts.js";
import { waitUntil } from "../testkit/wait.js";

let moto: MotoServer;
let slow: SlowEndpoint;
let bridge: AwsBridgeEnv;
let iam: IAMClient;
let hostDir: string;

beforeAll(async () => {
  moto = await startMoto();
  // Long enough that the first create's answer is still held when the last bridge has handed its create over (the
  // bridges start seconds apart on a loaded machine): then every create is in flight when the signal comes.
  slow = await startSlowEndpoint(moto.endpoint, 8000);
  hostDir = await mkdtemp(join(tmpdir(), "hi-"));
  bridge = awsBridgeEnv(moto, { NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir });
  iam = new IAMClient(motoSdkConfig(moto));
});

afterAll(async () => {
  await stopHosts(hostDir);
  await rm(hostDir, { recursive: true, force: true });
  bridge?.cleanup();
  await slow?.stop();
  await moto?.stop();
});

const createRequest = (name: string) => ({
  createResourceRequest: {
    type: "aws_iam_user",
    inputProperties: { name, provider: bridge.provider },
    isStateful: true,
  },
});

interface Started {
  child: ResultPromise;
  stdout: () => string;
  stderr: () => string;
}

function startUntilCreating(request: object, env: Record<string, string | undefined>): Promise<Started> {
  const child = execa(bridgeBin, [], { env, stdin: "pipe", reject: false, buffer: false });
  let stderr = "";
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (process.env.TEST_TRACE) process.stderr.write(chunk);
      if (stderr.includes("Creating...")) resolve({ child, stdout: () => stdout, stderr: () => stderr });
    });
    void child.then(() => reject(new Error(`the bridge exited before creating:\n${stderr}`)));
    child.stdin.write(JSON.stringify(request) + "\n");
  });
}

async function usersNamed(prefix: string): Promise<string[]> {
  const users = (await iam.send(new ListUsersCommand({}))).Users ?? [];
  return users
    .map((u) => u.UserName!)
    .filter((n) => n.startsWith(prefix))
    .sort();
}

interface KeptRecord {
  type: string;
  phase: string;
  outcome?: { state?: { attributes: { name?: string } } };
}

/** Operation records still pending (receipts of answered creates are not: NixOps4 had those answers). */
function pendingRecords(): KeptRecord[] {
  const dir = join(bridge.stateDir, "pending");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .map((n) => JSON.parse(readFileSync(join(dir, n), "utf8")) as KeptRecord)
    .filter((r) => r.phase !== "answered");
}

describe("SIGINT to every bridge of a batch on the provider host", () => {
  it("answers within 2 s, the engine finishes its calls, the state is kept and the rerun adopts: one user each", async () => {
    const names = ["int-all-a", "int-all-b", "int-all-c", "int-all-d"];
    const env = { ...bridge.env, AWS_ENDPOINT_URL: slow.endpoint };
    const trace = (line: string) => process.env.TEST_TRACE && process.stderr.write(`[interrupt test] ${line}\n`);
    const started = await Promise.all(names.map((name) => startUntilCreating(createRequest(name), env)));
    // The creates reached moto; their answers are still held back by the relay.
    const reached = Date.now() + 20_000;
    while ((await usersNamed("int-all-")).length < names.length && Date.now() < reached)
      await new Promise((r) => setTimeout(r, 50));
    expect(await usersNamed("int-all-")).toEqual(names);

    trace("all users in moto");
    // As a terminal's Ctrl-C: the same signal to all of them at once.
    const signalled = Date.now();
    for (const { child } of started) child.kill("SIGINT");
    const answeredAfter = await Promise.all(
      started.map(async ({ child, stdout }) => {
        const answered = await new Promise<number>((resolve) => {
          const check = () => (stdout().includes("\n") ? resolve(Date.now() - signalled) : setTimeout(check, 10));
          check();
        });
        await child;
        return answered;
      }),
    );
    trace(`answered after ${answeredAfter.join(", ")} ms`);
    for (const [i, { child, stdout, stderr }] of started.entries()) {
      expect(answeredAfter[i], stderr()).toBeLessThan(2000);
      expect((await child).exitCode).not.toBe(0);
      const response = JSON.parse(stdout().split("\n")[0]!);
      assertValidResponse(response);
      // A create whose answer came back within the moment the host waits is answered with its outputs (and its
      // state kept all the same: NixOps4 was interrupted too and may never persist them); the others with the
      // interrupt.
      if (response.errorResponse) expect(response.errorResponse.message).toMatch(/interrupted by SIGINT/);
      else expect(outputsOf(response).id).toBe(names[i]);
    }

    // The engine got its SIGINT, finished the calls in flight and wrote its state, which the host kept.
    const hostLog = () =>
      readdirSync(hostDir)
        .filter((n) => n.endsWith(".log"))
        .map((n) => readFileSync(join(hostDir, n), "utf8"))
        .join("");
    expect(hostLog()).toMatch(/operation\(s\) of an engine run were interrupted: SIGINT to the engine/);
    const kept = () => pendingRecords().filter((r) => r.outcome?.state?.attributes.name?.startsWith("int-all-")).length;
    const allKept = await waitUntil(() => kept() === names.length, 60_000);
    expect(
      allKept,
      `${JSON.stringify(pendingRecords())}\n${hostLog()}\n${started.map((s) => s.stderr()).join("\n---\n")}`,
    ).toBe(true);

    // NixOps4 persisted nothing and sends the same creates again: each adopts its user, none is made twice.
    const reruns = await Promise.all(names.map((name) => runBridge([createRequest(name)], { env: bridge.env })));
    expect(reruns.map((r) => outputsOf(r.responses[0]).id)).toEqual(names);
    expect(await usersNamed("int-all-")).toEqual(names);
    expect(pendingRecords().filter((r) => r.type === "aws_iam_user")).toEqual([]);
  }, 240_000);
});
