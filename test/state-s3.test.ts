// nixops4-state-s3 end to end: the built executable, driven as NixOps4 drives a state provider, against moto's
// S3 (which implements conditional writes: If-None-Match and If-Match answer PreconditionFailed). What reached S3
// is read back with the AWS SDK, independently of the provider.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import jsonpatch from "fast-json-patch";
import { hostname, userInfo } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../testkit/cli.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { assertValidState } from "../testkit/protocol.js";
import { startStateSession, stateRequests } from "../testkit/state-session.js";

let moto: MotoServer;
let s3: S3Client;
let env: Record<string, string>;
const BUCKET = "team-state";

beforeAll(async () => {
  moto = await startMoto();
  env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...moto.env };
  s3 = new S3Client({ ...motoSdkConfig(moto), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

const inputsFor = (key: string) => ({
  bucket: BUCKET,
  key,
  endpoint: moto.endpoint,
  region: "us-east-1",
  force_path_style: true,
});
const flagsFor = (key: string) => [
  "--bucket",
  BUCKET,
  "--key",
  key,
  "--endpoint",
  moto.endpoint,
  "--region",
  "us-east-1",
  "--force-path-style",
];

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

async function objectJson(key: string): Promise<any> {
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await got.Body!.transformToString());
}

/** The oracle: the patches folded in order by fast-json-patch itself, from the initial empty document. */
function fold(patches: object[][]): unknown {
  let doc: any = { _type: "nixopsState", resources: {}, deployments: {} };
  for (const patch of patches) doc = jsonpatch.applyPatch(doc, patch as jsonpatch.Operation[], true, false).newDocument;
  return doc;
}

const patches = [
  [{ op: "add", path: "/deployments/app", value: { deployments: {}, resources: {} } }],
  [
    {
      op: "add",
      path: "/deployments/app/resources/bucket",
      value: { type: "aws_s3_bucket", input_properties: { bucket: "b" }, output_properties: { arn: "arn:1" } },
    },
  ],
  [{ op: "replace", path: "/deployments/app/resources/bucket/output_properties/arn", value: "arn:2" }],
  [{ op: "add", path: "/resources/top", value: { type: "memo", input_properties: { n: 1 }, output_properties: {} } }],
];

describe("a full session through the executable", () => {
  it("creates, reads the empty state, records events durably, releases the lock at EOF; history gives every earlier state", async () => {
    const key = "full/state.json";
    const r = stateRequests(inputsFor(key));
    const session = startStateSession(env);
    const created = await session.send(r.create);
    expect(created.createResourceResponse.outputProperties).toMatchObject({
      bucket: BUCKET,
      key,
      url: `s3://${BUCKET}/${key}`,
      lock_key: `${key}.lock`,
    });
    expect(await keysUnder("full/")).toEqual([]); // the writability probe cleans up after itself

    const empty = await session.send(r.read);
    expect(empty).toEqual({
      stateResourceReadResponse: { state: { _type: "nixopsState", resources: {}, deployments: {} } },
    });
    assertValidState("State", empty.stateResourceReadResponse.state);
    const lock = await objectJson(`${key}.lock`);
    expect(lock).toMatchObject({ user: userInfo().username, host: hostname(), pid: session.pid });

    for (const [i, patch] of patches.entries()) {
      expect(await session.send(r.event(patch, i === 2 ? "update" : "create"))).toEqual({
        stateResourceEventResponse: {},
      });
      // Durable before the answer: the snapshot in S3 already holds this event.
      const snapshot = await objectJson(key);
      expect(snapshot.index).toBe(i + 1);
      expect(snapshot.state).toEqual(fold(patches.slice(0, i + 1)));
    }
    expect(await session.close()).toBe(0);
    expect(await keysUnder("full/")).toEqual([
      key,
      ...[0, 1, 2, 3, 4].map((i) => `${key}.history/${String(i).padStart(10, "0")}.json`),
    ]);
    const [initial, ...stored] = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => objectJson(`${key}.history/${String(i).padStart(10, "0")}.json`)),
    );
    // NixOps4's own event format, the first event the one its state_file starts with.
    [initial, ...stored].forEach((event) => assertValidState("StateEvent", event));
    expect(initial.patch).toEqual([
      { op: "add", path: "", value: { _type: "nixopsState", resources: {}, deployments: {} } },
    ]);
    expect(stored.map((e) => e.patch)).toEqual(patches);
    expect(stored[2].meta).toMatchObject({
      event: "update",
      nixopsVersion: "0.1.0",
      user: userInfo().username,
      host: hostname(),
      lock: lock.id,
    });

    // A new session reads back the patches folded in order.
    const again = startStateSession(env);
    expect((await again.send(r.read)).stateResourceReadResponse.state).toEqual(fold(patches));
    expect(await again.close()).toBe(0);
    expect(again.stderr()).toBe(""); // a session that went well says nothing (stdout carries the protocol only)

    const show = await runCli(["state", "show", ...flagsFor(key)], env);
    expect(show.exitCode).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual(fold(patches));
    const history = await runCli(["state", "history", ...flagsFor(key)], env);
    expect(
      history.stdout
        .trim()
        .split("\n")
        .map((l) => l.split("\t")[0]),
    ).toEqual(["0", "1", "2", "3", "4"]);
    expect(history.stdout.split("\n")[3]).toContain(`\tupdate\t${userInfo().username}@${hostname()}\t1 operation(s)`);
    const at2 = await runCli(["state", "at", "2", ...flagsFor(key)], env);
    expect(JSON.parse(at2.stdout)).toEqual(fold(patches.slice(0, 2)));

    // Restoring is a new event (history keeps everything), which a new session then reads.
    const restore = await runCli(["state", "restore", "2", ...flagsFor(key)], env);
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect((await objectJson(key)).index).toBe(5);
    const after = startStateSession(env);
    expect((await after.send(r.read)).stateResourceReadResponse.state).toEqual(fold(patches.slice(0, 2)));
    await after.close();
    expect(await keysUnder(`${key}.lock`)).toEqual([]);
  });
});

describe("locking", () => {
  it("refuses a second session while the first holds the lock, naming the holder and the way out; a read-only read needs no lock", async () => {
    const key = "locked/state.json";
    const r = stateRequests(inputsFor(key));
    const first = startStateSession(env);
    await first.send(r.read);
    await first.send(r.event(patches[0]!));
    const lockBefore = await objectJson(`${key}.lock`);

    const second = startStateSession(env);
    const refused = await second.send(r.read);
    expect(refused).toHaveProperty("errorResponse");
    const message: string = refused.errorResponse.message;
    expect(message).toContain(
      `is locked by ${userInfo().username}@${hostname()} (pid ${first.pid}, nixops4-state-s3) since ${lockBefore.since}`,
    );
    expect(message).toContain(
      `nixops4-opentofu state break-lock --bucket ${BUCKET} --key ${key} --endpoint ${moto.endpoint}`,
    );
    expect(message).toContain(lockBefore.id);
    // Nor may it record anything.
    expect((await second.send(r.event(patches[1]!))).errorResponse.message).toMatch(/is locked by/);
    expect(await second.close()).toBe(0);
    expect(await objectJson(`${key}.lock`)).toEqual(lockBefore); // the refused session left the lock alone

    const dump = startStateSession(env);
    expect((await dump.send(r.readOnly)).stateResourceReadResponse.state).toEqual(fold(patches.slice(0, 1)));
    await dump.close();
    expect(await objectJson(`${key}.lock`)).toEqual(lockBefore);
    expect((await objectJson(key)).index).toBe(1);

    expect(await first.close()).toBe(0);
    expect(await keysUnder(`${key}.lock`)).toEqual([]);
    const third = startStateSession(env);
    expect(await third.send(r.read)).toHaveProperty("stateResourceReadResponse");
    await third.close();
  });

  it("two sessions on the same version (a lock broken while its session still ran): exactly one event wins, none is lost", async () => {
    const key = "race/state.json";
    const r = stateRequests(inputsFor(key));
    const setup = startStateSession(env);
    await setup.send(r.read);
    await setup.send(r.event(patches[0]!));
    await setup.close();

    const a = startStateSession(env);
    await a.send(r.read);
    const lockA = await objectJson(`${key}.lock`);
    const broken = await runCli(["state", "break-lock", ...flagsFor(key), lockA.id], env);
    expect(broken.exitCode, broken.stderr).toBe(0);
    const b = startStateSession(env);
    await b.send(r.read);
    const lockB = await objectJson(`${key}.lock`);

    const patchA = [
      { op: "add", path: "/resources/fromA", value: { type: "memo", input_properties: {}, output_properties: {} } },
    ];
    const patchB = [
      { op: "add", path: "/resources/fromB", value: { type: "memo", input_properties: {}, output_properties: {} } },
    ];
    const [answerA, answerB] = await Promise.all([a.send(r.event(patchA)), b.send(r.event(patchB))]);
    const answers = [answerA, answerB];
    expect(answers.filter((x) => "stateResourceEventResponse" in x)).toHaveLength(1);
    const loser = answers.find((x) => "errorResponse" in x)!;
    expect(loser.errorResponse.message).toMatch(
      /was changed by another session since this one read it .*this event \(2\) was NOT recorded/,
    );
    const winnerPatch = "stateResourceEventResponse" in answerA ? patchA : patchB;

    const snapshot = await objectJson(key);
    expect(snapshot.index).toBe(2);
    expect(snapshot.state).toEqual(fold([patches[0]!, winnerPatch]));
    expect(await keysUnder(`${key}.history/`)).toHaveLength(3);
    expect((await objectJson(`${key}.history/0000000002.json`)).patch).toEqual(winnerPatch);

    // The loser stays refused (its version is gone); the winner goes on.
    const [loserSession, winnerSession] = "errorResponse" in answerA ? [a, b] : [b, a];
    expect((await loserSession.send(r.event(patches[3]!))).errorResponse.message).toMatch(/NOT recorded/);
    expect(await winnerSession.send(r.event(patches[3]!))).toEqual({ stateResourceEventResponse: {} });
    expect((await objectJson(key)).state).toEqual(fold([patches[0]!, winnerPatch, patches[3]!]));

    // A, whose lock was broken, leaves B's lock alone when it ends.
    await a.close();
    expect((await objectJson(`${key}.lock`)).id).toBe(lockB.id);
    await b.close();
    expect(await keysUnder(`${key}.lock`)).toEqual([]);
  });

  it("a session SIGKILLed mid-event leaves the state before or after that event; the next session takes over the dead lock", async () => {
    const key = "killed/state.json";
    const r = stateRequests(inputsFor(key));
    const accepted: object[][] = [];
    for (const [round, delayMs] of [0, 30, 120].entries()) {
      const session = startStateSession(env);
      const read = await session.send(r.read);
      expect(read.stateResourceReadResponse.state, read.errorResponse?.message).toEqual(fold(accepted));
      if (round > 0) expect(session.stderr()).toContain("a process that no longer runs on this host; breaking it");
      const patch = [
        {
          op: "add",
          path: `/resources/r${round}`,
          value: { type: "memo", input_properties: { round }, output_properties: {} },
        },
      ];
      session.write(r.event(patch));
      await sleep(delayMs);
      await session.kill("SIGKILL");
      expect(await keysUnder(`${key}.lock`)).toEqual([`${key}.lock`]); // a killed session cannot release its lock

      const snapshot = await keysUnder(key).then((keys) => (keys.includes(key) ? objectJson(key) : undefined));
      const before = fold(accepted);
      const after = fold([...accepted, patch]);
      const now = snapshot?.state ?? before;
      expect([before, after]).toContainEqual(now);
      if (JSON.stringify(now) === JSON.stringify(after)) accepted.push(patch);
    }
    const last = startStateSession(env);
    expect((await last.send(r.read)).stateResourceReadResponse.state).toEqual(fold(accepted));
    await last.close();
    // Never corrupt: the history, folded, is the snapshot (a crash between the two writes is repaired on read).
    const snapshot = await objectJson(key).catch(() => undefined);
    if (snapshot) {
      const events = await Promise.all((await keysUnder(`${key}.history/`)).map(objectJson));
      expect(events.map((e) => e.index)).toEqual([...Array((snapshot.index as number) + 1).keys()]);
      expect(fold(events.slice(1).map((e) => e.patch))).toEqual(snapshot.state);
    }
  });

  it("a crash between the snapshot and its history copy loses nothing: the next read writes the missing event", async () => {
    const key = "repair/state.json";
    const r = stateRequests(inputsFor(key));
    const session = startStateSession(env);
    await session.send(r.read);
    await session.send(r.event(patches[0]!));
    await session.close();
    const last = `${key}.history/0000000001.json`;
    const written = await objectJson(last);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: last })); // as if killed right after the commit
    const reader = startStateSession(env);
    expect((await reader.send(r.readOnly)).stateResourceReadResponse.state).toEqual(fold(patches.slice(0, 1)));
    await reader.close();
    expect(await objectJson(last)).toEqual(written);
  });

  it("SIGTERM between requests releases the lock and exits 1", async () => {
    const key = "term/state.json";
    const session = startStateSession(env);
    await session.send(stateRequests(inputsFor(key)).read);
    expect(await keysUnder(`${key}.lock`)).toEqual([`${key}.lock`]);
    expect(await session.kill("SIGTERM")).toBe(1);
    expect(await keysUnder(`${key}.lock`)).toEqual([]);
  });

  it("a lock held on another host is never taken over; the command the error names breaks it", async () => {
    const key = "foreign/state.json";
    const r = stateRequests(inputsFor(key));
    const foreign = {
      id: "7d4c1f0e-foreign",
      user: "bob",
      host: "bobs-laptop",
      pid: 1,
      since: "2026-11-30T09:00:00.000Z",
      by: "nixops4-state-s3",
    };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${key}.lock`, Body: JSON.stringify(foreign) }));
    const session = startStateSession(env);
    const message: string = (await session.send(r.read)).errorResponse.message;
    await session.close();
    expect(message).toContain(
      "is locked by bob@bobs-laptop (pid 1, nixops4-state-s3) since 2026-11-30T09:00:00.000Z (lock ID 7d4c1f0e-foreign)",
    );
    expect((await objectJson(`${key}.lock`)).id).toBe(foreign.id);

    const wrongId = await runCli(["state", "break-lock", ...flagsFor(key), "some-other-id"], env);
    expect(wrongId.exitCode).toBe(1);
    expect(wrongId.stderr).toContain("held by bob@bobs-laptop");
    expect((await objectJson(`${key}.lock`)).id).toBe(foreign.id);

    const command = /break the lock with: nixops4-opentofu (state break-lock .*)$/.exec(message)![1]!.split(" ");
    const broken = await runCli(command, env);
    expect(broken.exitCode, broken.stderr).toBe(0);
    expect(await keysUnder(`${key}.lock`)).toEqual([]);

    // A lock object that names no holder (written by hand, or by a broken tool) is broken the same way.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${key}.lock`, Body: "garbage" }));
    const blocked = startStateSession(env);
    const unreadable: string = (await blocked.send(r.read)).errorResponse.message;
    await blocked.close();
    expect(unreadable).toContain('is locked by an unreadable lock object ("garbage")');
    const unlock = await runCli(
      /break the lock with: nixops4-opentofu (state break-lock .*)$/.exec(unreadable)![1]!.split(" "),
      env,
    );
    expect(unlock.exitCode, unlock.stderr).toBe(0);
    const next = startStateSession(env);
    expect(await next.send(r.read)).toHaveProperty("stateResourceReadResponse");
    await next.close();
  });
});

describe("bad inputs", () => {
  it("each gets a clear error naming the input or the bucket and the cause, and writes nothing", async () => {
    const ask = async (inputs: Record<string, unknown>, sessionEnv = env) => {
      const session = startStateSession(sessionEnv);
      const answer = await session.send(stateRequests(inputs).create);
      const read = await session.send(stateRequests(inputs).read);
      expect(await session.close()).toBe(0);
      return [answer.errorResponse?.message as string, read.errorResponse?.message as string];
    };
    const base = inputsFor("bad/state.json");
    const { bucket: _, ...noBucket } = base;
    for (const message of await ask(noBucket))
      expect(message).toBe('s3.object: input "bucket" is required (the S3 bucket that holds the state)');
    for (const message of await ask({ ...base, access_key: "AKIA…" }))
      expect(message).toMatch(/^s3\.object: unknown input "access_key"; the inputs are bucket/);
    const [missing, missingRead] = await ask({ ...base, bucket: "no-such-bucket-here" });
    expect(missing).toBe(
      `checking the bucket of s3://no-such-bucket-here/bad/state.json at ${moto.endpoint} failed: the bucket "no-such-bucket-here" does not exist (create it first; this provider never creates buckets)`,
    );
    expect(missingRead).toMatch(
      /s3:\/\/no-such-bucket-here\/bad\/state\.json .*the bucket "no-such-bucket-here" does not exist/,
    );
    const noCredentials = {
      PATH: env.PATH!,
      HOME: "/nonexistent",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    for (const message of await ask(base, noCredentials)) {
      expect(message).toMatch(new RegExp(`s3://${BUCKET}/bad/state\\.json .*failed: no AWS credentials were found`));
    }
    expect(await keysUnder("bad/")).toEqual([]);
  });
});
