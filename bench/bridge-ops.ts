// One resource operation through the built bridge, as NixOps4 runs it: a fresh process, one request line, stdin
// closed, one response line. The wall time is the process's lifetime as the caller sees it; stderr lines are
// time-stamped on arrival so a profile can place the bridge's own log lines (engine slot waits, host starts).
import { execa } from "execa";
import { createInterface } from "node:readline";
import { bridgeBin, outputsOf } from "../testkit/bridge-process.js";
import { assertValidResponse } from "../testkit/protocol.js";

export type JsonObject = Record<string, unknown>;

export interface BridgeTarget {
  env: Record<string, string | undefined>;
  /** The engine (wrapper) passed as --engine. */
  engine: string;
  provider: JsonObject;
  /** How long one bridge process may take before it is stopped (SIGTERM) and counted as failed; default 300 s. */
  timeoutMs?: number;
}

export interface StderrLine {
  atMs: number; // epoch ms
  line: string;
}

export interface BridgeOp {
  label: string;
  pid: number;
  startMs: number; // epoch ms
  endMs: number;
  wallMs: number;
  outputs: JsonObject;
  stderr: StderrLine[];
}

export class BridgeOpError extends Error {}

const epochMs = () => performance.timeOrigin + performance.now();

export async function runBridgeOp(target: BridgeTarget, label: string, request: JsonObject): Promise<BridgeOp> {
  const startMs = epochMs();
  // Through the launcher, as NixOps4 runs it: the launcher chooses Node's own flags.
  const child = execa(bridgeBin, ["--engine", target.engine], {
    env: target.env,
    extendEnv: false,
    input: JSON.stringify(request) + "\n",
    reject: false,
    timeout: target.timeoutMs ?? 300_000,
  });
  const stderr: StderrLine[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => stderr.push({ atMs: epochMs(), line }));
  const result = await child;
  const endMs = epochMs();
  const lines = result.stdout.split("\n").filter((l) => l.length > 0);
  const fail = (what: string) =>
    new BridgeOpError(
      `${label}: ${what}\n--- bridge stderr ---\n${stderr
        .map((s) => s.line)
        .join("\n")
        .slice(-4000)}`,
    );
  if (result.exitCode !== 0 || lines.length !== 1) {
    throw fail(`bridge exited ${result.exitCode} with ${lines.length} response lines:\n${result.stdout}`);
  }
  const response = JSON.parse(lines[0]!) as JsonObject;
  assertValidResponse(response);
  let outputs: JsonObject;
  try {
    outputs = "destroyResourceResponse" in response ? {} : outputsOf(response);
  } catch (error) {
    throw fail((error as Error).message);
  }
  return { label, pid: child.pid!, startMs, endMs, wallMs: endMs - startMs, outputs, stderr };
}

export interface ResourceSpec {
  type: string;
  inputs: JsonObject;
}

const withProvider = (target: BridgeTarget, inputs: JsonObject) => ({ ...inputs, provider: target.provider });

export function createRequest(target: BridgeTarget, spec: ResourceSpec): JsonObject {
  return {
    createResourceRequest: { type: spec.type, inputProperties: withProvider(target, spec.inputs), isStateful: true },
  };
}

export function updateRequest(
  target: BridgeTarget,
  old: ResourceSpec,
  outputs: JsonObject,
  inputs: JsonObject,
): JsonObject {
  return {
    updateResourceRequest: {
      resource: { type: old.type, inputProperties: withProvider(target, old.inputs), outputProperties: outputs },
      inputProperties: withProvider(target, inputs),
    },
  };
}

export function destroyRequest(target: BridgeTarget, spec: ResourceSpec, outputs: JsonObject): JsonObject {
  return {
    destroyResourceRequest: {
      resource: { type: spec.type, inputProperties: withProvider(target, spec.inputs), outputProperties: outputs },
    },
  };
}

export const iamUser = (name: string, tags: Record<string, string>): ResourceSpec => ({
  type: "aws_iam_user",
  inputs: { name, tags },
});

export const s3Bucket = (bucket: string, tags: Record<string, string>): ResourceSpec => ({
  type: "aws_s3_bucket",
  inputs: { bucket, tags },
});

/** The scale workload: `count` buckets and `count` users, alternating, named after `prefix`. */
export function scaleResources(prefix: string, count: number): ResourceSpec[] {
  return Array.from({ length: count }, (_, i) => [
    s3Bucket(`${prefix}-bucket-${i}`, { bench: prefix }),
    iamUser(`${prefix}-user-${i}`, { bench: prefix }),
  ]).flat();
}

/** create → update (tags) → destroy of one IAM user, each in its own bridge process. */
export async function bridgeCycle(
  target: BridgeTarget,
  name: string,
): Promise<Record<"create" | "update" | "destroy", BridgeOp>> {
  const first = iamUser(name, { rev: "0" });
  const create = await runBridgeOp(target, `${name} create`, createRequest(target, first));
  const second = iamUser(name, { rev: "1" });
  const update = await runBridgeOp(
    target,
    `${name} update`,
    updateRequest(target, first, create.outputs, second.inputs),
  );
  const destroy = await runBridgeOp(target, `${name} destroy`, destroyRequest(target, second, update.outputs));
  return { create, update, destroy };
}

/** Runs `tasks` with at most `concurrency` in flight; returns results in task order. After a failure no new task
 * starts, and the first error is thrown once the tasks in flight have finished (so nothing outlives the call). */
export async function inPool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < tasks.length && !failure) {
      const index = next++;
      try {
        results[index] = await tasks[index]!();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
