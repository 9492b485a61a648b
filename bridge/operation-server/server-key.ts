// Which operation server a bridge may hand its session to. The server runs every session with its own process
// environment, command line and working directory (engines, provider hosts and providers inherit them), so a
// server serves only bridges started exactly so: the key covers all three, this build and the frames' version.
// NixOps4 starts every bridge of one provider the same way, so a deployment meets one server per provider.
//
// The socket's name comes from a 64-bit FNV-1a hash of that identity, and the bridge sends the identity itself in
// its hello, which the server compares with its own: a collision is refused, never served with the wrong
// environment. (A cryptographic hash would cost each bridge process ~14 ms of CPU to load node:crypto.)
import { join } from "node:path";
import { FRAMES_VERSION } from "./frames.js";

// Set by the shell or by whoever started NixOps4, and read by nothing the bridge starts.
const VOLATILE = new Set(["PWD", "OLDPWD", "SHLVL", "_"]);

export interface ServerIdentity {
  /** The build of the bridge code (build-id.ts): an upgraded bridge never hands its session to an older server. */
  build: string;
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The identity as one canonical string: what the server compares. */
export function identityText(identity: ServerIdentity): string {
  const env = Object.entries(identity.env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && !VOLATILE.has(entry[0]))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify({ frames: FRAMES_VERSION, build: identity.build, argv: identity.argv, cwd: identity.cwd, env });
}

/** 64-bit FNV-1a over the UTF-16 code units of `text`, as 16 hex digits (two 32-bit halves). */
export function fnv1a64(text: string): string {
  // 64-bit arithmetic in two 32-bit lanes: offset basis 0xcbf29ce484222325, prime 0x100000001b3.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo ^= text.charCodeAt(i);
    // (hi, lo) *= 0x100000001b3: lo * 0x1b3, and hi * 0x1b3 + lo << 8 (the 2^40 part) + carries.
    const loProduct = (lo & 0xffff) * 0x1b3;
    const loHigh = (lo >>> 16) * 0x1b3 + (loProduct >>> 16);
    const newLo = ((loHigh & 0xffff) << 16) | (loProduct & 0xffff);
    const carry = Math.floor(loHigh / 0x10000);
    hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) >>> 0;
    lo = newLo >>> 0;
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}

export function serverKey(identity: ServerIdentity): string {
  return fnv1a64(identityText(identity));
}

export interface ServerPaths {
  /** What the other paths are made of (passed to the server it starts). */
  stem: string;
  socket: string;
  /** Held by the serving process for its whole life. */
  lock: string;
  /** Held by the bridge starting a server, until it answers or exits. */
  startLock: string;
  /** Where the other bridges of a burst wait meanwhile (waiting-room.ts). */
  waitingRoom: string;
  log: string;
}

/** Paths in the private runtime dir; short, because a unix socket path has at most 107 bytes. */
export function serverPaths(dir: string, key: string): ServerPaths {
  return serverPathsFromStem(join(dir, `ops-${key}`));
}

export function serverPathsFromStem(stem: string): ServerPaths {
  return {
    stem,
    socket: `${stem}.sock`,
    lock: `${stem}.lock`,
    startLock: `${stem}.start`,
    waitingRoom: `${stem}.wait`,
    log: `${stem}.log`,
  };
}
