// The provider host itself (its Node process, not its provider) SIGKILLed while its engine applies an in-place
// update and then a destroy of a security group (an ID the cloud makes up). Nobody records the outcome, and the
// README's rule for that is: an update whose plan changes the object in place, and a destroy, run again from the
// state NixOps4 holds. The API call the host's provider had made is held in a relay when the host dies; the
// provider dies with the host, the relay never forwards the call, so the cloud has NOT applied it (checked below),
// and only the retry can have done the work that the test then finds in moto. Real engine, provider and moto.
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { outputsOf, runBridge } from "../testkit/bridge-process.js";
import { startFaultRelay, type FaultRelay } from "../testkit/fault-relay.js";
import {
  engineProcesses,
  processesWith,
  programOf,
  providerProcesses,
  spawnBridge,
} from "../testkit/fault-processes.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { assertValidResponse } from "../testkit/protocol.js";
import { filesHolding } from "../testkit/secret-scan.js";
import { waitUntil } from "../testkit/wait.js";

const SECRET_KEY = "TOPSECRET-host-kills-secret-key-7171";
const SG = "aws_security_group";
const DESCRIPTION = "hostkills-group";
const MEMBER = ["hostKills", "group"];
// How long the relay holds the killed host's API call: the window for the kill, and how long the test then waits
// to be sure the call was dropped, not merely late.
const HOLD_MS = 4000;
let moto: MotoServer;
let bridge: AwsBridgeEnv;
let ec2: EC2Client;
const started = Date.now();
const stderrSeen: string[] = [];
const relays: FaultRelay[] = [];

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto, { NIXOPS4_OPENTOFU_WAIT_SECONDS: "120" });
  ec2 = new EC2Client(motoSdkConfig(moto));
});
afterAll(async () => {
  for (const relay of relays) await relay.stop();
  bridge?.cleanup();
  await moto?.stop();
});

const inputs = (v: string) => ({
  description: DESCRIPTION,
  tags: { v },
  _member: MEMBER,
  provider: { ...bridge.provider, secret_key: SECRET_KEY },
});
const create = (v: string) => ({ createResourceRequest: { type: SG, inputProperties: inputs(v), isStateful: true } });
const update = (v: string, outputs: object) => ({
  updateResourceRequest: {
    resource: { type: SG, inputProperties: inputs(v), outputProperties: outputs },
    inputProperties: inputs(v),
  },
});
const destroy = (v: string, outputs: object) => ({
  destroyResourceRequest: { resource: { type: SG, inputProperties: inputs(v), outputProperties: outputs } },
});

async function run(request: object, env: Record<string, string | undefined>) {
  const result = await runBridge([request], { env });
  stderrSeen.push(result.stderr);
  return result;
}

async function groups() {
  const found = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "description", Values: [DESCRIPTION] }] }),
  );
  return (found.SecurityGroups ?? []).map((g) => ({
    id: g.GroupId!,
    tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key, t.Value])),
  }));
}

/** Where a credential could be left: workspaces, records, the hosts' directory and logs. */
const scanRoots = () => [
  tmpdir(),
  bridge.stateDir,
  process.env.XDG_RUNTIME_DIR ?? "",
  join(process.env.HOME ?? "/root", ".cache", "nixops4-resources-opentofu"),
];

interface KilledHost {
  /** The killed operation's error message. */
  message: string;
  /** The record file its error names. */
  record: string;
  /** The host's pid, and its engine and provider processes at the time of the kill. */
  hostPid: number;
  children: number[];
  /** The environment of the killed operation (its relay), for the retry: the same key, so a fresh host. */
  env: Record<string, string | undefined>;
}

/** Runs `request` on a provider host whose first `operation` call the relay holds, SIGKILLs the host while it is
 * held, and waits until the hold is over, so that the cloud's state afterwards is final. */
async function killHostDuring(request: object, operation: string, progress: string): Promise<KilledHost> {
  const relay = await startFaultRelay(moto.endpoint, [{ operation, fault: { kind: "delay", ms: HOLD_MS } }], {
    holdMs: HOLD_MS,
    lifetimeMs: 240_000,
  });
  relays.push(relay);
  const env = { ...bridge.env, AWS_ENDPOINT_URL: relay.endpoint };
  const running = spawnBridge(request, env);
  await running.reached(progress);
  expect(await waitUntil(() => relay.seen.some((s) => s.operation === operation && s.fault === "delay"), 60_000)).toBe(
    true,
  );
  const heldSince = Date.now();
  const hosts = processesWith("bundle/host.js", relay.endpoint);
  expect(hosts).toHaveLength(1);
  const children = [...engineProcesses("apply", relay.endpoint), ...providerProcesses(relay.endpoint)];
  expect(children.length).toBeGreaterThanOrEqual(2);
  process.kill(hosts[0]!, "SIGKILL");
  await running.child;
  stderrSeen.push(running.stderr());
  const response = JSON.parse(running.stdout().split("\n")[0]!) as Record<string, any>;
  assertValidResponse(response);
  const message = response.errorResponse?.message as string;
  expect(message).toMatch(/the provider host went away before the operation finished/);
  await sleep(Math.max(0, heldSince + HOLD_MS + 1000 - Date.now()));
  // Before any sweep: what the dead host and its engine left on disk holds no credential either.
  expect(filesHolding(scanRoots(), [SECRET_KEY], started)).toEqual([]);
  return { message, record: /\(record (\S+\.json);/.exec(message)![1]!, hostPid: hosts[0]!, children, env };
}

/** After the retry: nothing of the dead host runs or stays in the temp directory (the next bridge's sweep). */
function expectNothingLeftOf(killed: KilledHost): void {
  expect(killed.children.filter((pid) => /terraform/.test(programOf(pid)))).toEqual([]);
  expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`nixops4-opentofu-${killed.hostPid}-`))).toEqual([]);
}

describe("the provider host SIGKILLed while its engine applies (the API call held, so the cloud has not acted)", () => {
  let created: Record<string, any>;
  let updated: Record<string, any>;

  it("mid-update of a security group's tags: the retry runs the update again, one group with the new tags", async () => {
    created = outputsOf((await run(create("0"), bridge.env)).responses[0]);
    const killed = await killHostDuring(update("1", created), "CreateTags", "Modifying...");
    expect(killed.message).toMatch(
      /Whether aws_security_group was changed is unknown: the next operation on this resource runs the update again if its plan changed the object in place/,
    );
    // The held CreateTags died with the host's provider: the cloud still has the old tags.
    expect(await groups()).toEqual([{ id: created.id, tags: { v: "0" } }]);
    expect(existsSync(killed.record)).toBe(true);

    const retried = await run(update("1", created), killed.env);
    expect(retried.stderr).toMatch(
      /\(its plan: update\); it made no new object, so the update runs again from the state NixOps4 holds/,
    );
    updated = outputsOf(retried.responses[0]);
    expect(updated.id).toBe(created.id);
    expect(updated.tags).toEqual({ v: "1" });
    expect(await groups()).toEqual([{ id: created.id, tags: { v: "1" } }]);
    expect(existsSync(killed.record)).toBe(false);
    expectNothingLeftOf(killed);
  }, 240_000);

  it("mid-destroy of that group: the retry destroys it, no group, the record gone", async () => {
    expect(updated).toBeDefined();
    const killed = await killHostDuring(destroy("1", updated), "DeleteSecurityGroup", "Destroying...");
    expect(killed.message).toMatch(/the next destroy of this resource runs it again/);
    // The held DeleteSecurityGroup died with the host's provider: the group is still there.
    expect(await groups()).toEqual([{ id: created.id, tags: { v: "1" } }]);
    expect(existsSync(killed.record)).toBe(true);

    const retried = await run(destroy("1", updated), killed.env);
    expect(retried.stderr).toMatch(/it made no new object, so the destroy runs from the state NixOps4 holds/);
    expect(retried.responses[0]).toEqual({ destroyResourceResponse: {} });
    expect(await groups()).toEqual([]);
    expect(existsSync(killed.record)).toBe(false);
    expectNothingLeftOf(killed);
  }, 240_000);

  it("left no file holding the provider's secret key, and no error or log line showed it", () => {
    for (const text of stderrSeen) expect(text).not.toContain(SECRET_KEY);
    expect(filesHolding(scanRoots(), [SECRET_KEY], started)).toEqual([]);
  });
});
