// The operation server on a real unix socket, in this process: who it serves, and the bytes of a session.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildId } from "../build/build-id.js";
import { greet, type Session } from "./connection.js";
import { encodeFrame, type ServerFrame } from "./frames.js";
import { OperationServer } from "./server.js";
import { identityText, serverPaths } from "./server-key.js";

const dir = mkdtempSync(join(tmpdir(), "ops-unit-"));
const env = { HOME: "/nonexistent", NIXOPS4_OPENTOFU_PROVIDER: "hashicorp/aws@5.100.0" };
const argv: string[] = [];
const paths = serverPaths(dir, "0123456789abcdef");
let server: OperationServer;

beforeAll(async () => {
  server = new OperationServer({ paths, argv, env, idleMs: 60_000 });
  expect(await server.start()).toBe(true);
});
afterAll(async () => {
  await server.stop("test done");
  rmSync(dir, { recursive: true, force: true });
});

const identity = (changes: Partial<Parameters<typeof identityText>[0]> = {}) =>
  identityText({ build: buildId(), argv, cwd: process.cwd(), env, ...changes });

/** Every frame of the session until the server ends it. */
function framesUntilExit(session: Session): Promise<ServerFrame[]> {
  return new Promise((resolve) => {
    const frames: ServerFrame[] = [];
    session.onFrame((frame) => {
      frames.push(frame);
      if (frame.t === "response") session.socket.write(encodeFrame({ t: "delivered", ok: true }));
      if (frame.t === "exit") resolve(frames);
    });
  });
}

describe("the operation server", () => {
  it("refuses a bridge started otherwise, and a second server for its key", async () => {
    const other = await greet(paths.socket, identity({ env: { ...env, AWS_PROFILE: "prod" } }), 5000);
    expect(other).toEqual({ refused: expect.stringMatching(/another build, environment/) });
    const second = new OperationServer({ paths, argv, env, idleMs: 60_000 });
    expect(await second.start()).toBe(false);
  });

  it("serves a bridge started the same way: its stdin bytes in, one response per request line, then exit 0", async () => {
    const session = await greet(paths.socket, identity(), 5000);
    expect(session && "socket" in session).toBe(true);
    const open = session as Session;
    expect(open.serverPid).toBe(process.pid);
    const frames = framesUntilExit(open);
    // A line that is not UTF-8 and one that is not a request: each answered as the bridge itself answers them.
    const input = Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from("{}\n")]);
    open.socket.write(encodeFrame({ t: "input", b64: input.toString("base64") }));
    open.socket.write(encodeFrame({ t: "end" }));
    const got = await frames;
    const responses = got.filter((f) => f.t === "response").map((f) => JSON.parse((f as { text: string }).text));
    expect(responses).toHaveLength(2);
    expect(responses[0].errorResponse.message).toMatch(/not (valid )?UTF-8/i);
    expect(responses[1].errorResponse.message).toBeTruthy();
    expect(got.at(-1)).toEqual({ t: "exit", code: 0 });
  });
});
