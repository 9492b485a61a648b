import type { Socket } from "node:net";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  hostArguments,
  hostPaths,
  onEachLine,
  onFirstLine,
  parseHostArguments,
  reattachValue,
  sendExact,
  type HostLaunch,
} from "./control-protocol.js";
import { parseExact } from "../json/exact-json.js";

const launch: HostLaunch = {
  key: "k".repeat(64),
  dir: "/run/hosts",
  binaryPath: "/p/terraform-provider-aws",
  providerAddress: "registry.terraform.io/hashicorp/aws",
  providerVersion: "5.100.0",
  idleMs: 60000,
  maxUses: 0,
  startTimeoutMs: 30000,
  prune: false,
  env: { AWS_SECRET_ACCESS_KEY: "never-on-the-command-line" },
};

/** A stand-in for the socket: the helpers only read and write it as a stream. */
const socketLike = () => new PassThrough() as unknown as Socket & PassThrough;

describe("host arguments", () => {
  it("round-trip through the command line, without the environment", () => {
    const args = hostArguments(launch);
    expect(args.join(" ")).not.toContain("never-on-the-command-line");
    expect(parseHostArguments(args, launch.env)).toEqual(launch);
    expect(parseHostArguments(hostArguments({ ...launch, prune: true }), {}).prune).toBe(true);
    expect(args).not.toContain("--cache-dir");
    expect(parseHostArguments(hostArguments({ ...launch, cacheDir: "/home/u/.cache/x" }), {}).cacheDir).toBe(
      "/home/u/.cache/x",
    );
  });

  it("refuse a missing or non-numeric setting by name", () => {
    const args = hostArguments(launch);
    expect(() => parseHostArguments(args.slice(2), {})).toThrow("--key is required");
    const wrong = [...args];
    wrong[wrong.indexOf("--idle-ms") + 1] = "soon";
    expect(() => parseHostArguments(wrong, {})).toThrow("--idle-ms must be a non-negative number");
  });
});

describe("reattachValue and hostPaths", () => {
  it("tell the engine the host's pid and proxy socket, marked as not the engine's to stop", () => {
    const value = JSON.parse(
      reattachValue("registry.terraform.io/hashicorp/aws", { protocolVersion: 5, proxySocket: "/s.sock", hostPid: 42 }),
    );
    expect(value).toEqual({
      "registry.terraform.io/hashicorp/aws": {
        Protocol: "grpc",
        ProtocolVersion: 5,
        Pid: 42,
        Test: true,
        Addr: { Network: "unix", String: "/s.sock" },
      },
    });
    const paths = hostPaths("/d", "stem");
    expect([paths.lock, paths.startClaim, paths.control, paths.metadata, paths.proxySocket(7)]).toEqual([
      "/d/stem.lock",
      "/d/stem.start.lock",
      "/d/stem.ctl.sock",
      "/d/stem.json",
      "/d/stem.7.grpc.sock",
    ]);
  });
});

describe("control lines", () => {
  it("onFirstLine delivers one line, even split over chunks, and ignores the rest", () => {
    const socket = socketLike();
    const seen: string[] = [];
    onFirstLine(socket, (line) => seen.push(line));
    socket.write('{"type":"gra');
    socket.write('nted"}\n{"type":"later"}\n');
    expect(seen).toEqual(['{"type":"granted"}']);
  });

  it("onEachLine delivers every line; sendExact keeps integers beyond 2^53", () => {
    const socket = socketLike();
    const seen: unknown[] = [];
    onEachLine(socket, (line) => seen.push(parseExact(line)));
    sendExact(socket, { type: "progress", line: "a" });
    sendExact(socket, { type: "result", outcome: { kind: "done", state: undefined, actions: [] } });
    socket.write('{"type":"x","n":9007199254740993}\n');
    expect(seen).toHaveLength(3);
    expect((seen[0] as { line: string }).line).toBe("a");
    expect(String((seen[2] as { n: unknown }).n)).toBe("9007199254740993");
  });

  it("a line that is not UTF-8 reaches the caller as text no JSON parser accepts", () => {
    const socket = socketLike();
    const seen: string[] = [];
    onEachLine(socket, (line) => seen.push(line));
    socket.write(Buffer.from([0x7b, 0xff, 0x7d, 0x0a]));
    expect(seen).toEqual([""]);
    expect(() => parseExact(seen[0]!)).toThrow();
  });
});
