// What a bridge and its operation server say to each other on the server's unix socket: one JSON object per line.
// The bridge hands on its stdin byte for byte (NixOps4's request lines, decoded only by the server's protocol
// loop, so that a line that is not UTF-8 is answered there as it would be in the bridge), its signals, and whether
// each response reached its stdout; the server sends the session's responses, log lines and exit code.

/** Bumped whenever bridge and server stop understanding each other; part of the server's key (server-key.ts). */
export const FRAMES_VERSION = 1;

export type BridgeFrame =
  /** `identity`: the bridge's identityText (server-key.ts), which the server compares with its own. */
  | { t: "hello"; v: number; pid: number; identity: string }
  /** Bytes of the bridge's stdin, base64. */
  | { t: "input"; b64: string }
  /** The bridge's stdin ended. */
  | { t: "end" }
  | { t: "interrupt"; signal: NodeJS.Signals }
  /** Whether the last response reached the bridge's stdout (false: NixOps4 closed it, the outcome stays recorded). */
  | { t: "delivered"; ok: boolean };

export type ServerFrame =
  /** The server took the session on: from here on it serves it to the end, whatever else happens. */
  | { t: "ready"; pid: number }
  /** Not this server's session (another build, environment, command line or working directory). */
  | { t: "refused"; reason: string }
  | { t: "log"; text: string }
  /** One response line, without its newline. */
  | { t: "response"; text: string }
  | { t: "exit"; code: number };

const BRIDGE_TYPES = new Set(["hello", "input", "end", "interrupt", "delivered"]);
const SERVER_TYPES = new Set(["ready", "refused", "log", "response", "exit"]);

export function encodeFrame(frame: BridgeFrame | ServerFrame): string {
  return JSON.stringify(frame) + "\n";
}

function parseFrame(line: string, types: Set<string>): unknown {
  let frame: unknown;
  try {
    frame = JSON.parse(line);
  } catch {
    throw new Error(`not a JSON frame: ${line.slice(0, 80)}`);
  }
  const t = (frame as { t?: unknown } | null)?.t;
  if (typeof t !== "string" || !types.has(t)) throw new Error(`unknown frame type ${JSON.stringify(t)}`);
  return frame;
}

export function parseBridgeFrame(line: string): BridgeFrame {
  return parseFrame(line, BRIDGE_TYPES) as BridgeFrame;
}

export function parseServerFrame(line: string): ServerFrame {
  return parseFrame(line, SERVER_TYPES) as ServerFrame;
}
