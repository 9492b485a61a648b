// Drives the built bridge executable exactly as NixOps4 does: spawn, write request lines, close stdin, read one
// response line per request. Every response is checked against the upstream protocol schema.
import { execa } from "execa";
import { join } from "node:path";
import { assertValidResponse } from "./protocol.js";
import { repoRoot } from "./repo-root.js";

export { repoRoot };
// What package.json's bin names and NixOps4 runs: the launcher, which starts the native relay or Node on the bundle.
export const bridgeBin = join(repoRoot, "bin", "nixops4-resources-opentofu");
// What the launcher runs first where the build compiled it (bridge/operation-server/native-relay/).
export const nativeRelayBin = join(repoRoot, "dist", "relay", "nixops4-opentofu-relay");
// The `nixops4-opentofu` command (pending records, state).
export const cliMain = join(repoRoot, "dist", "cli", "main.js");

export interface BridgeRun {
  responses: Record<string, any>[];
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}

export interface BridgeRunOptions {
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Raw text for stdin instead of JSON requests (for malformed-input tests). */
  rawInput?: string | Buffer;
  timeoutMs?: number;
  /** Check every response against the upstream protocol schemas (schemas/nixops4); default true. */
  validateProtocol?: boolean;
}

export async function runBridge(requests: object[], options: BridgeRunOptions = {}): Promise<BridgeRun> {
  const input = options.rawInput ?? requests.map((r) => JSON.stringify(r) + "\n").join("");
  const result = await execa(bridgeBin, options.args ?? [], {
    input,
    env: options.env,
    reject: false,
    timeout: options.timeoutMs ?? 300_000,
  });
  const lines = result.stdout.split("\n").filter((l) => l.length > 0);
  const responses = lines.map((l) => JSON.parse(l) as Record<string, any>);
  if (options.validateProtocol ?? true) responses.forEach(assertValidResponse);
  return { responses, stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
}

/** The outputProperties of a successful response, or an error carrying the bridge's message. */
export function outputsOf(response: Record<string, any> | undefined): Record<string, any> {
  if (!response) throw new Error("no response");
  if (response.errorResponse) throw new Error(`bridge error: ${response.errorResponse.message}`);
  const body = Object.values(response)[0] as { outputProperties?: Record<string, any> };
  if (!body.outputProperties) throw new Error(`no outputProperties in ${JSON.stringify(response)}`);
  return body.outputProperties;
}
