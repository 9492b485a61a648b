// The provider host against the real engine, the real AWS provider and moto: leases share one provider process
// across operations and bridge processes, the proxy makes re-configuring with AWS_CA_BUNDLE work and prunes the
// schema, and hosts are keyed, replaced, retired and skipped as designed.
import { CreateUserCommand, GetUserCommand, IAMClient, ListUserTagsCommand } from "@aws-sdk/client-iam";
import * as grpc from "@grpc/grpc-js";
import { execa } from "execa";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  awsLeaseRequest,
  iamUserConfig,
  mustRun,
  planAndApply,
  planAndDestroy,
  prepareWorkspace,
  writeMainTf,
} from "../../testkit/provider-host-workspace.js";
import { startMoto, type MotoServer } from "../../testkit/moto.js";
import { hostEntryPath } from "./client/host-client.js";
import { acquireProviderLease, type ProviderLease } from "./client/index.js";
import { isAlive } from "../machine/process-identity.js";
import { payloadsOf } from "./server/protobuf-wire.js";
import { mapKeys } from "./server/schema-prune.js";
import { setTimeout as sleep } from "node:timers/promises";
import { waitUntil } from "../../testkit/wait.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
let moto: MotoServer;
let iam: IAMClient;
const temporaryDirs: DirectoryResult[] = [];

beforeAll(async () => {
  if (!existsSync(hostEntryPath())) throw new Error(`${hostEntryPath()} is missing: run npm run build first`);
  moto = await startMoto();
  iam = new IAMClient({
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
});

afterAll(async () => {
  // Hosts are detached on purpose; stop the ones this file started.
  for (const dir of temporaryDirs) {
    for (const name of readdirSync(dir.path).filter((n) => n.endsWith(".json") && !n.startsWith("no-debug"))) {
      const { hostPid } = JSON.parse(readFileSync(join(dir.path, name), "utf8")) as { hostPid: number };
      try {
        process.kill(hostPid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
  await sleep(1500);
  for (const dir of temporaryDirs) await dir.cleanup();
  await moto?.stop();
});

async function newDir(): Promise<string> {
  // Short prefix: socket paths live in it.
  const dir = await tmpDir({ prefix: "ph-", unsafeCleanup: true, tmpdir: "/tmp" });
  temporaryDirs.push(dir);
  return dir.path;
}

/** The bridge's environment: moto for the provider, a CA bundle (the re-configure trap), a private host dir. */
function bridgeEnv(hostDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...moto.env,
    AWS_CA_BUNDLE: "/etc/ssl/certs/ca-certificates.crt",
    NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir,
    ...extra,
  };
}

/** The engine gets no AWS settings at all: the provider must take them from the host's environment. */
function engineEnv(lease: ProviderLease, workspaceEnv: Record<string, string>): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...workspaceEnv, ...lease.engineEnv };
}

async function lease(
  env: NodeJS.ProcessEnv,
  overrides: Parameters<typeof awsLeaseRequest>[1] = {},
): Promise<ProviderLease> {
  const granted = await acquireProviderLease(awsLeaseRequest(env, overrides));
  if (!granted) throw new Error("expected a lease");
  return granted;
}

async function userTags(userName: string): Promise<Record<string, string> | undefined> {
  try {
    await iam.send(new GetUserCommand({ UserName: userName }));
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchEntityException") return undefined;
    throw error;
  }
  const { Tags } = await iam.send(new ListUserTagsCommand({ UserName: userName }));
  return Object.fromEntries((Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

async function workspace(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await newDir();
  return { dir, env: await prepareWorkspace(dir) };
}

function hostProcessesFor(hostDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (
        argv.some((a) => a.endsWith("/bundle/host.js")) &&
        argv.includes(hostDir) &&
        isAlive({ pid: Number(entry) })
      ) {
        pids.push(Number(entry));
      }
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

describe("provider host", () => {
  it("runs create, update and destroy through one shared provider with AWS_CA_BUNDLE set", async () => {
    const env = bridgeEnv(await newDir());
    const ws = await workspace();
    const userName = "host-user-1";

    // Each operation is a fresh lease, as a fresh bridge process would take; every one after the first
    // configures the same provider process again, which the proxy must answer.
    const operate = async (run: (engine: Record<string, string | undefined>) => Promise<number>) => {
      const held = await lease(env);
      await run(engineEnv(held, ws.env));
      await held.release();
      return held.host.providerPid;
    };
    await writeMainTf(ws.dir, iamUserConfig(userName, { rev: "1" }));
    const providerPid = await operate((engine) => planAndApply(ws.dir, engine));
    expect(await userTags(userName)).toEqual({ rev: "1" });

    await writeMainTf(ws.dir, iamUserConfig(userName, { rev: "2" }));
    expect(await operate((engine) => planAndApply(ws.dir, engine))).toBe(providerPid);
    expect(await userTags(userName)).toEqual({ rev: "2" });

    expect(await operate((engine) => planAndDestroy(ws.dir, engine))).toBe(providerPid);
    expect(await userTags(userName)).toBeUndefined();
    expect(isAlive({ pid: providerPid })).toBe(true);
  });

  it("serves concurrent operations of several bridges through one provider", async () => {
    const env = bridgeEnv(await newDir());
    const users = ["host-user-c1", "host-user-c2", "host-user-c3"];
    const runs = users.map(async (userName) => {
      const ws = await workspace();
      const held = await lease(env);
      await writeMainTf(ws.dir, iamUserConfig(userName, { owner: userName }));
      await planAndApply(ws.dir, engineEnv(held, ws.env));
      await held.release();
      return { ws, providerPid: held.host.providerPid };
    });
    const done = await Promise.all(runs);
    expect(new Set(done.map((d) => d.providerPid)).size).toBe(1);
    for (const userName of users) expect(await userTags(userName)).toEqual({ owner: userName });
    await Promise.all(
      done.map(async ({ ws }) => {
        const held = await lease(env);
        await planAndDestroy(ws.dir, engineEnv(held, ws.env));
        await held.release();
      }),
    );
    for (const userName of users) expect(await userTags(userName)).toBeUndefined();
  });

  it("reads a data source through a lease that registered it", async () => {
    const env = bridgeEnv(await newDir());
    const ws = await workspace();
    const held = await lease(env, { resourceTypes: [], dataSourceTypes: ["aws_iam_user"] });
    await iam.send(new CreateUserCommand({ UserName: "host-user-read", Tags: [{ Key: "k", Value: "v" }] }));
    await writeMainTf(ws.dir, {
      ...(iamUserConfig("unused", {}) as Record<string, unknown>),
      resource: undefined,
      data: { aws_iam_user: { this: { user_name: "host-user-read" } } },
      output: { arn: { value: "${data.aws_iam_user.this.arn}" }, tags: { value: "${data.aws_iam_user.this.tags}" } },
    });
    const engine = engineEnv(held, ws.env);
    await planAndApply(ws.dir, engine);
    const outputs = JSON.parse((await mustRun(ws.dir, ["output", "-json"], engine)).output) as Record<
      string,
      { value: unknown }
    >;
    await held.release();
    expect(outputs.arn!.value).toMatch(/:user\/host-user-read$/);
    expect(outputs.tags!.value).toEqual({ k: "v" });
  });

  it("serves a schema pruned to the types leases registered", async () => {
    const env = bridgeEnv(await newDir());
    const first = await lease(env, { resourceTypes: ["aws_iam_user"], dataSourceTypes: ["aws_caller_identity"] });
    const schema1 = await fetchSchema(first);
    expect(mapKeys(schema1, 2)).toEqual(["aws_iam_user"]);
    expect(mapKeys(schema1, 3)).toEqual(["aws_caller_identity"]);
    expect(readProviderSchemaAttributes(schema1)).toContain("region");

    const second = await lease(env, { resourceTypes: ["aws_s3_bucket"], dataSourceTypes: [] });
    expect(second.host.hostPid).toBe(first.host.hostPid);
    const schema2 = await fetchSchema(second);
    expect(mapKeys(schema2, 2).sort()).toEqual(["aws_iam_user", "aws_s3_bucket"]);
    await first.release();
    await second.release();

    const full = await lease(bridgeEnv(await newDir(), { NIXOPS4_OPENTOFU_PROVIDER_HOST_PRUNE: "off" }));
    const fullSchema = await fetchSchema(full);
    await full.release();
    expect(mapKeys(fullSchema, 2).length).toBeGreaterThan(1000);
    expect(fullSchema.length).toBeGreaterThan(schema2.length * 20);
  });

  it("gives two bridge processes starting at once the same host and provider", async () => {
    const hostDir = await newDir();
    const env = bridgeEnv(hostDir);
    const script = `
      import { acquireProviderLease } from ${JSON.stringify(join(repoRoot, "dist/bridge/provider-host/client/index.js"))};
      import { awsLeaseRequest } from ${JSON.stringify(join(repoRoot, "dist/testkit/provider-host-workspace.js"))};
      const lease = await acquireProviderLease(awsLeaseRequest(process.env));
      process.stdout.write(JSON.stringify(lease && lease.host));
      await new Promise((r) => setTimeout(r, 1500));
      await lease?.release();
    `;
    const bridges = [0, 1].map(() =>
      execa(process.execPath, ["--input-type=module", "-e", script], { env, extendEnv: false }),
    );
    const hosts = (await Promise.all(bridges)).map((r) => JSON.parse(r.stdout) as ProviderLease["host"]);
    expect(hosts[0]).not.toBeNull();
    expect(hosts[1]!.hostPid).toBe(hosts[0]!.hostPid);
    expect(hosts[1]!.providerPid).toBe(hosts[0]!.providerPid);
    // Any duplicate host a racing bridge started has seen the lock and gone.
    expect(await waitUntil(() => hostProcessesFor(hostDir).length === 1, 5000)).toBe(true);
    expect(readdirSync(hostDir).filter((n) => n.endsWith(".lock"))).toHaveLength(1);
  });

  it("keeps different configurations and environments apart, ignoring only volatile variables", async () => {
    const env = bridgeEnv(await newDir());
    const base = await lease(env);
    const otherConfig = await lease(env, { configKey: "1".repeat(64) });
    const otherEnv = await lease({ ...env, AWS_PROFILE: "someone-else" });
    const volatileOnly = await lease({ ...env, PWD: "/somewhere/else", SHLVL: "7" });
    const pids = [base, otherConfig, otherEnv].map((l) => l.host.providerPid);
    expect(new Set(pids).size).toBe(3);
    expect(new Set([base, otherConfig, otherEnv].map((l) => l.host.hostPid)).size).toBe(3);
    expect(volatileOnly.host.providerPid).toBe(base.host.providerPid);
    for (const l of [base, otherConfig, otherEnv, volatileOnly]) await l.release();
  });

  it("replaces a killed host, and its provider dies with it", async () => {
    const env = bridgeEnv(await newDir());
    const ws = await workspace();
    const first = await lease(env);
    await first.release();
    process.kill(first.host.hostPid, "SIGKILL");
    expect(await waitUntil(() => !isAlive({ pid: first.host.providerPid }), 10_000)).toBe(true);

    const second = await lease(env);
    expect(second.host.hostPid).not.toBe(first.host.hostPid);
    await writeMainTf(ws.dir, iamUserConfig("host-user-replaced", { rev: "1" }));
    await planAndApply(ws.dir, engineEnv(second, ws.env));
    await planAndDestroy(ws.dir, engineEnv(second, ws.env));
    await second.release();
    expect(await userTags("host-user-replaced")).toBeUndefined();
  });

  it("goes away when its provider crashes, so the next bridge gets a fresh one", async () => {
    const env = bridgeEnv(await newDir());
    const first = await lease(env);
    process.kill(first.host.providerPid, "SIGKILL");
    expect(await waitUntil(() => !isAlive({ pid: first.host.hostPid }), 10_000)).toBe(true);
    await first.release();
    const second = await lease(env);
    expect(second.host.providerPid).not.toBe(first.host.providerPid);
    expect(isAlive({ pid: second.host.providerPid })).toBe(true);
    await second.release();
  });

  it("exits when idle and removes its socket, lock and metadata", async () => {
    const hostDir = await newDir();
    const env = bridgeEnv(hostDir, { NIXOPS4_OPENTOFU_PROVIDER_HOST_IDLE_SECONDS: "1" });
    const held = await lease(env);
    await sleep(1500);
    expect(isAlive({ pid: held.host.hostPid })).toBe(true); // a held lease is never idle
    await held.release();
    expect(await waitUntil(() => !isAlive({ pid: held.host.hostPid }), 10_000)).toBe(true);
    expect(isAlive({ pid: held.host.providerPid })).toBe(false);
    expect(readdirSync(hostDir).filter((n) => !n.endsWith(".log"))).toEqual([]);
  });

  it("retires a host after its quota of leases once none is active", async () => {
    const env = bridgeEnv(await newDir(), { NIXOPS4_OPENTOFU_PROVIDER_HOST_MAX_USES: "2" });
    const a = await lease(env);
    const b = await lease(env);
    expect(b.host.hostPid).toBe(a.host.hostPid);
    await a.release();
    expect(isAlive({ pid: a.host.hostPid })).toBe(true); // b still holds a lease
    await b.release();
    const c = await lease(env);
    expect(c.host.hostPid).not.toBe(a.host.hostPid);
    await c.release();
  });

  it("falls back for a binary without debug mode and remembers that", async () => {
    const hostDir = await newDir();
    const notAProvider = process.execPath; // a real executable that rejects `-debug`
    const lines: string[] = [];
    const request = { binaryPath: notAProvider, log: (line: string) => lines.push(line) };
    expect(await acquireProviderLease(awsLeaseRequest(bridgeEnv(hostDir), request))).toBeNull();
    expect(lines.some((l) => l.includes("started provider host"))).toBe(true);
    lines.length = 0;
    expect(await acquireProviderLease(awsLeaseRequest(bridgeEnv(hostDir), request))).toBeNull();
    expect(lines.some((l) => l.includes("started provider host"))).toBe(false);
    expect(lines.join("\n")).toContain("no shared host");
  });

  it("falls back for a provider path that is not an absolute executable", async () => {
    const hostDir = await newDir();
    for (const binaryPath of ["terraform-provider-aws", join(hostDir, "missing-provider")]) {
      expect(await acquireProviderLease(awsLeaseRequest(bridgeEnv(hostDir), { binaryPath }))).toBeNull();
    }
    expect(readdirSync(hostDir)).toEqual([]);
  });

  it("falls back at once when the host dir is too long for unix socket paths", async () => {
    const longDir = join(await newDir(), "x".repeat(90));
    const started = Date.now();
    expect(await acquireProviderLease(awsLeaseRequest(bridgeEnv(longDir)))).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("is off when NIXOPS4_OPENTOFU_PROVIDER_HOST=off", async () => {
    const hostDir = await newDir();
    const env = bridgeEnv(hostDir, { NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" });
    expect(await acquireProviderLease(awsLeaseRequest(env))).toBeNull();
    expect(readdirSync(hostDir)).toEqual([]);
  });

  it("keeps its files private and free of secrets", async () => {
    const hostDir = await newDir();
    const canary = `canary-${Math.random().toString(36).slice(2)}`;
    const env = bridgeEnv(hostDir, { AWS_SESSION_TOKEN: canary });
    const held = await lease(env);
    const ws = await workspace();
    await writeMainTf(ws.dir, iamUserConfig("host-user-private", { rev: "1" }));
    await planAndApply(ws.dir, engineEnv(held, ws.env));
    await planAndDestroy(ws.dir, engineEnv(held, ws.env));
    await held.release();
    expect(statSync(hostDir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(hostDir)) {
      const info = statSync(join(hostDir, name));
      expect(info.mode & 0o777, name).toBe(0o600);
      if (info.isFile()) {
        const text = await readFile(join(hostDir, name), "utf8");
        expect(text, name).not.toContain(canary);
        expect(text, name).not.toContain("testing"); // the provider configuration's secret_key
      }
    }
  });
});

/** Calls the proxy the lease points at, as an engine would, and returns the raw schema response. */
async function fetchSchema(held: ProviderLease): Promise<Buffer> {
  const reattach = JSON.parse(held.engineEnv.TF_REATTACH_PROVIDERS!) as Record<string, { Addr: { String: string } }>;
  const socket = Object.values(reattach)[0]!.Addr.String;
  const client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
  });
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      client.makeUnaryRequest(
        "/tfplugin5.Provider/GetSchema",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        (error, response) => (error ? reject(error) : resolve(response!)),
      );
    });
  } finally {
    client.close();
  }
}

/** Attribute names of the provider configuration block (Schema.block = 2 → Block.attributes = 2 → name = 1). */
function readProviderSchemaAttributes(response: Buffer): string[] {
  const providerSchema = [...fieldsOf(response, 1)][0]!;
  const block = [...fieldsOf(providerSchema, 2)][0]!;
  return [...fieldsOf(block, 2)].map((attribute) => [...fieldsOf(attribute, 1)][0]!.toString("utf8"));
}

function* fieldsOf(message: Uint8Array, fieldNumber: number): Generator<Buffer> {
  for (const payload of payloadsOf(message, fieldNumber)) yield Buffer.from(payload);
}
