// A cold burst: NixOps4 starts every independent resource's bridge at the same moment, and none finds a host.
// Exactly one host may start for the key (counted in the host log, one "starting for" line per host process);
// everyone else waits for it, in this process and in other processes alike.
import { execa } from "execa";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterAll, describe, expect, it } from "vitest";
import { awsLeaseRequest } from "../../../testkit/provider-host-workspace.js";
import { hostPaths } from "../control-protocol.js";
import { hostEntryPath, leaseFromHost } from "./host-client.js";
import { hostStem } from "./host-key.js";
import { acquireProviderLease, startProviderHost, type ProviderLease } from "./index.js";
import { tryAcquireLock } from "../../machine/lock-file.js";
import { isAlive } from "../../machine/process-identity.js";
import { waitUntil } from "../../../testkit/wait.js";

const dirs: DirectoryResult[] = [];
const hostPids = new Set<number>();

afterAll(async () => {
  for (const pid of hostPids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // gone already
    }
  }
  await waitUntil(() => [...hostPids].every((pid) => !isAlive({ pid })), 10_000);
  for (const dir of dirs) await dir.cleanup();
});

async function newDir(): Promise<string> {
  const dir = await tmpDir({ prefix: "hb-", unsafeCleanup: true, tmpdir: "/tmp" });
  dirs.push(dir);
  return dir.path;
}

function hostStartsIn(logPath: string): number {
  if (!existsSync(logPath)) return 0;
  return readFileSync(logPath, "utf8")
    .split("\n")
    .filter((line) => / starting for /.test(line)).length;
}

// The same lease another bridge process takes: the built client, from a fresh Node process.
const CHILD_LEASE = `
import { acquireProviderLease } from ${JSON.stringify(new URL("../../../dist/bridge/provider-host/client/index.js", import.meta.url).href)};
const request = JSON.parse(process.argv[1]);
const lease = await acquireProviderLease({ ...request, env: process.env, log: () => undefined });
process.stdout.write(JSON.stringify(lease ? lease.host : null));
await lease?.release();
`;

describe("a cold burst of bridges", () => {
  it("starts one host for 200 leases in this process and 20 from other processes", async () => {
    expect(existsSync(hostEntryPath())).toBe(true);
    const hostDir = await newDir();
    const env = { ...process.env, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir };
    const request = awsLeaseRequest(env);
    const { env: _env, log: _log, ...wire } = request;
    const children = Array.from({ length: 20 }, () =>
      execa(process.execPath, ["--input-type=module", "-e", CHILD_LEASE, JSON.stringify(wire)], { env, reject: false }),
    );
    const leases = await Promise.all(Array.from({ length: 200 }, () => acquireProviderLease(request)));
    const granted = leases.filter((l): l is ProviderLease => l !== null);
    const fromChildren = (await Promise.all(children)).map((c) => {
      expect(c.exitCode, c.stderr).toBe(0);
      return JSON.parse(c.stdout) as ProviderLease["host"] | null;
    });
    for (const lease of granted) hostPids.add(lease.host.hostPid);
    await Promise.all(granted.map((l) => l.release()));

    expect(granted).toHaveLength(200);
    expect(fromChildren.every((h) => h !== null)).toBe(true);
    expect(new Set([...granted.map((l) => l.host.hostPid), ...fromChildren.map((h) => h!.hostPid)]).size).toBe(1);
    const paths = hostPaths(hostDir, hostStem(granted[0]!.host.key));
    expect(hostStartsIn(paths.log)).toBe(1);
    // The claim to start is given back once the host answers.
    expect(existsSync(paths.startClaim)).toBe(false);
  });

  it("has the host start before any lease, once for a burst, and the leases that follow take that host", async () => {
    const hostDir = await newDir();
    const env = { ...process.env, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir };
    const request = awsLeaseRequest(env);
    await Promise.all(Array.from({ length: 50 }, () => startProviderHost(request)));
    const logs = () =>
      readdirSync(hostDir)
        .filter((name) => name.endsWith(".log") && !name.startsWith("ops-"))
        .map((name) => join(hostDir, name));
    // Started and listening, with nobody holding a lease yet.
    expect(logs()).toHaveLength(1);
    const [log] = logs();
    expect(hostStartsIn(log!)).toBe(1);
    expect(readFileSync(log!, "utf8")).not.toMatch(/lease \d+ granted/);

    const leases = await Promise.all(Array.from({ length: 20 }, () => acquireProviderLease(request)));
    for (const lease of leases) if (lease) hostPids.add(lease.host.hostPid);
    expect(leases.every((lease) => lease !== null)).toBe(true);
    expect(new Set(leases.map((lease) => lease!.host.hostPid)).size).toBe(1);
    expect(hostStartsIn(log!)).toBe(1);
    expect(existsSync(hostPaths(hostDir, hostStem(leases[0]!.host.key)).startClaim)).toBe(false);
    await Promise.all(leases.map((lease) => lease!.release()));

    // With the host turned off nothing starts.
    const offDir = await newDir();
    const off = { ...process.env, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: offDir, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" };
    await startProviderHost(awsLeaseRequest(off));
    expect(readdirSync(offDir).filter((name) => name.endsWith(".log"))).toEqual([]);
  });

  it("waits for a host that holds the key's lock, never starts its own, and gives up with a clear error", async () => {
    const hostDir = await newDir();
    const env = { ...process.env, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir };
    // The key's lock held by a live process that never serves: to a bridge, a host still starting.
    const request = awsLeaseRequest(env);
    const probe = await acquireProviderLease(request);
    expect(probe).not.toBeNull();
    hostPids.add(probe!.host.hostPid);
    const key = probe!.host.key;
    await probe!.release();
    process.kill(probe!.host.hostPid, "SIGTERM");
    const paths = hostPaths(hostDir, hostStem(key));
    expect(await waitUntil(() => !isAlive({ pid: probe!.host.hostPid }), 15_000)).toBe(true);
    const held = await tryAcquireLock(paths.lock);
    expect(held).not.toBeNull();
    try {
      const settings = {
        key,
        dir: hostDir,
        paths,
        binaryPath: request.binaryPath,
        providerAddress: request.providerAddress,
        providerVersion: request.providerVersion,
        idleMs: 60_000,
        maxUses: 200,
        startTimeoutMs: 60_000,
        prune: true,
        env,
        log: () => undefined,
        waitMs: 1500,
      };
      const started = Date.now();
      const waits = Array.from({ length: 20 }, () => leaseFromHost(settings, ["aws_iam_user"], []));
      const results = await Promise.allSettled(waits);
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const result of results) {
        expect(result.status).toBe("rejected");
        expect(String((result as PromiseRejectedResult).reason)).toMatch(
          /no provider host for registry\.terraform\.io\/hashicorp\/aws answered within 2 s \(its log: .*\.log\)/,
        );
      }
      expect(hostStartsIn(paths.log)).toBe(1);
    } finally {
      await held!.release();
    }
  });
});
