// A starting host clears what killed hosts, dead providers and old runs left in the hosts directory, and leaves
// a live host, a live socket and anything it cannot prove dead alone. Hosts here are real host processes in a
// private directory, serving a tiny stand-in provider (an HTTP/2 server that prints go-plugin's reattach line):
// what is swept does not depend on the provider, and the AWS provider would cost ~700 MB per host.
import { execa } from "execa";
import { chmodSync, existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostEntryPath } from "../client/host-client.js";
import { acquireProviderLease, type ProviderLease } from "../client/index.js";
import { isAlive, selfIdentity } from "../../machine/process-identity.js";
import { setTimeout as sleep } from "node:timers/promises";
import { waitUntil } from "../../../testkit/wait.js";

const FAKE_PROVIDER = `#!${process.execPath}
import http2 from "node:http2";
const address = process.env.PLUGIN_UNIX_SOCKET_DIR + "/plugin" + Math.floor(Math.random() * 1e9);
const server = http2.createServer();
server.on("stream", (stream) => {
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "12", "grpc-message": "stand-in provider" }));
  stream.end();
});
server.listen(address, () => {
  const addr = { Network: "unix", String: address };
  const reattach = { "registry.terraform.io/test/stand-in": { Protocol: "grpc", ProtocolVersion: 5, Pid: process.pid, Test: true, Addr: addr } };
  process.stdout.write("TF_REATTACH_PROVIDERS='" + JSON.stringify(reattach) + "'\\n");
});
`;

const DAY_S = 24 * 60 * 60;
const temporaryDirs: DirectoryResult[] = [];
let providerBinary: string;
let hostDir: string;

beforeAll(async () => {
  if (!existsSync(hostEntryPath())) throw new Error(`${hostEntryPath()} is missing: run npm run build first`);
  const binDir = await newDir();
  providerBinary = join(binDir, "terraform-provider-standin");
  writeFileSync(providerBinary, FAKE_PROVIDER);
  chmodSync(providerBinary, 0o755);
  hostDir = await newDir();
});

afterAll(async () => {
  // Hosts are detached on purpose; stop the ones this file started (and an orphan a failed run left).
  for (const name of readdirSync(hostDir).filter((n) => n.endsWith(".json"))) {
    const { hostPid, providerPid } = JSON.parse(readFileSync(join(hostDir, name), "utf8")) as Record<string, number>;
    for (const pid of [hostPid!, providerPid!]) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
  await sleep(1000);
  for (const dir of temporaryDirs) await dir.cleanup();
});

async function newDir(): Promise<string> {
  // Short prefix: socket paths live in it.
  const dir = await tmpDir({ prefix: "hs-", unsafeCleanup: true, tmpdir: "/tmp" });
  temporaryDirs.push(dir);
  return dir.path;
}

/** Each configKey is another host key, so another host. */
async function lease(configKey: string, env: NodeJS.ProcessEnv = process.env): Promise<ProviderLease> {
  const granted = await acquireProviderLease({
    providerAddress: "registry.terraform.io/test/stand-in",
    providerVersion: "1.0.0",
    binaryPath: providerBinary,
    env: { ...env, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir },
    configKey: configKey.repeat(64),
    resourceTypes: [],
    dataSourceTypes: [],
    log: () => undefined,
  });
  if (!granted) throw new Error("expected a lease");
  return granted;
}

function filesOf(stem: string): string[] {
  return readdirSync(hostDir)
    .filter((n) => n.startsWith(stem))
    .sort();
}

function pluginSocketsNow(): Set<string> {
  return new Set(readdirSync(hostDir).filter((n) => /^plugin\d+$/.test(n)));
}

function makeOld(name: string, days: number): void {
  const when = Date.now() / 1000 - days * DAY_S;
  utimesSync(join(hostDir, name), when, when);
}

/** Unix sockets left by a listener that was SIGKILLed: the files stay, nobody listens. */
async function deadSockets(names: string[]): Promise<void> {
  const script = `
    const net = require("node:net");
    let listening = 0;
    for (const path of JSON.parse(process.argv[1])) net.createServer().listen(path, () => {
      if (++listening === JSON.parse(process.argv[1]).length) console.log("listening");
    });`;
  const child = execa(process.execPath, ["-e", script, JSON.stringify(names.map((n) => join(hostDir, n)))], {
    reject: false,
  });
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.kill("SIGKILL");
  await child;
}

describe("host directory sweep", () => {
  it("removes dead hosts' files, dead plugin sockets and old logs, and nothing of a live host", async () => {
    // A live host whose log has not been written for long: still its, so kept.
    const live = await lease("a");
    const liveStem = live.host.key.slice(0, 32);
    makeOld(`${liveStem}.log`, 8);
    const liveFiles = filesOf(liveStem);
    expect(liveFiles).toEqual(
      [
        `${liveStem}.${live.host.hostPid}.grpc.sock`,
        `${liveStem}.ctl.sock`,
        `${liveStem}.json`,
        `${liveStem}.lock`,
        `${liveStem}.log`,
      ].sort(),
    );
    const liveLock = readFileSync(join(hostDir, `${liveStem}.lock`), "utf8");
    const liveMetadata = JSON.parse(readFileSync(join(hostDir, `${liveStem}.json`), "utf8")) as {
      providerSocket: string;
    };

    // A host SIGKILLed as a crash would: it keeps its lock (naming a dead process), sockets and metadata. Without
    // setpriv on its PATH its provider outlives it, an orphan only the metadata names.
    const killedSockets = pluginSocketsNow();
    const killed = await lease("b", { ...process.env, PATH: "/nonexistent" });
    const killedStem = killed.host.key.slice(0, 32);
    await killed.release();
    process.kill(killed.host.hostPid, "SIGKILL");
    expect(await waitUntil(() => !isAlive({ pid: killed.host.hostPid }), 10_000)).toBe(true);
    expect(isAlive({ pid: killed.host.providerPid })).toBe(true);
    const killedProviderSocket = [...pluginSocketsNow()].find((n) => !killedSockets.has(n))!;
    expect(killedProviderSocket).toBeDefined();
    expect(filesOf(killedStem)).toEqual(
      [
        `${killedStem}.${killed.host.hostPid}.grpc.sock`,
        `${killedStem}.ctl.sock`,
        `${killedStem}.json`,
        `${killedStem}.lock`,
        `${killedStem}.log`,
      ].sort(),
    );
    makeOld(`${killedStem}.log`, 8);

    // Logs of keys without a host: old ones go, a recent one stays.
    const oldStem = "e".repeat(32);
    const recentStem = "d".repeat(32);
    for (const name of [`${oldStem}.log`, `${oldStem}.log.1`, `${recentStem}.log`])
      writeFileSync(join(hostDir, name), "a line\n");
    makeOld(`${oldStem}.log`, 8);
    makeOld(`${oldStem}.log.1`, 30);
    makeOld(`${recentStem}.log`, 6);

    // go-plugin sockets: an old dead one goes; a dead one younger than a minute may be a provider's that is
    // just starting, and a live one is in use, so both stay. Files the sweep does not know stay too.
    await deadSockets(["plugin1000001", "plugin1000002"]);
    makeOld("plugin1000001", 1);
    const listener: Server = createServer();
    await new Promise<void>((resolve) => listener.listen(join(hostDir, "plugin1000003"), resolve));
    makeOld("plugin1000003", 1);
    writeFileSync(join(hostDir, "notes.txt"), "not a host's\n");
    makeOld("notes.txt", 30);

    // Operation servers: a SIGKILLed one's lock (naming a dead process) and socket, and its week-old log, go; a
    // live one's lock and socket stay.
    const deadServer = "ops-1111111111111111";
    const liveServer = "ops-2222222222222222";
    const deadPid = killed.host.hostPid;
    writeFileSync(join(hostDir, `${deadServer}.lock`), JSON.stringify({ pid: deadPid, start: 1, token: "t" }));
    await deadSockets([`${deadServer}.sock`]);
    writeFileSync(join(hostDir, `${deadServer}.log`), "a line\n");
    makeOld(`${deadServer}.log`, 8);
    writeFileSync(join(hostDir, `${liveServer}.lock`), JSON.stringify({ ...selfIdentity(), token: "t" }));
    const liveServerSocket: Server = createServer();
    await new Promise<void>((resolve) => liveServerSocket.listen(join(hostDir, `${liveServer}.sock`), resolve));

    try {
      const sweeper = await lease("c");
      const sweeperLog = join(hostDir, `${sweeper.host.key.slice(0, 32)}.log`);
      // The sweep runs beside the host's start, not before it: wait for its report, then look at the files.
      await waitUntil(() => readFileSync(sweeperLog, "utf8").includes("swept the host directory"), 10_000);

      expect(filesOf(killedStem)).toEqual([]);
      expect(await waitUntil(() => !isAlive({ pid: killed.host.providerPid }), 10_000)).toBe(true);
      const names = new Set(readdirSync(hostDir));
      expect(names.has(killedProviderSocket)).toBe(false);
      expect(filesOf(oldStem)).toEqual([]);
      expect(filesOf(recentStem)).toEqual([`${recentStem}.log`]);
      expect(names.has("plugin1000001")).toBe(false);
      expect(names.has("plugin1000002")).toBe(true);
      expect(names.has("plugin1000003")).toBe(true);
      expect(names.has("notes.txt")).toBe(true);
      expect(filesOf(deadServer)).toEqual([]);
      expect(filesOf(liveServer)).toEqual([`${liveServer}.lock`, `${liveServer}.sock`]);

      // The live host still has all it had, its lock is still its own, and it still serves.
      expect(filesOf(liveStem)).toEqual(liveFiles);
      expect(readFileSync(join(hostDir, `${liveStem}.lock`), "utf8")).toBe(liveLock);
      expect(existsSync(liveMetadata.providerSocket)).toBe(true);
      expect(isAlive({ pid: live.host.providerPid })).toBe(true);
      expect(readFileSync(sweeperLog, "utf8")).toContain(
        "cleared 1 dead host(s), 1 dead plugin socket(s), 2 file(s) of dead operation servers, 4 old log(s)",
      );
      const again = await lease("a");
      expect(again.host.hostPid).toBe(live.host.hostPid);
      await again.release();
      await sweeper.release();
    } finally {
      listener.close();
      liveServerSocket.close();
      await live.release();
    }
  });
});
