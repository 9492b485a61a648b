// One resource operation through the built bridge, as NixOps4 runs it: a fresh process, one request line, stdin
// closed, one response line. The wall time is the process's lifetime as the caller sees it; stderr lines are
// time-stamped on arrival so a profile can place the bridge's own log lines (engine slot waits, host starts).
import { execa } from "execa";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { bridgeBin, outputsOf, repoRoot } from "../testkit/bridge-process.js";
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
  return checkedOp({ label, pid: child.pid!, startMs, endMs, stderr }, result.exitCode, result.stdout);
}

/** The operation's outputs from its one response line, or a BridgeOpError with its stderr. */
function checkedOp(op: Omit<BridgeOp, "outputs" | "wallMs">, exitCode: number | undefined, stdout: string): BridgeOp {
  const { label, stderr } = op;
  const lines = stdout.split("\n").filter((l) => l.length > 0);
  const fail = (what: string) =>
    new BridgeOpError(
      `${label}: ${what}\n--- bridge stderr ---\n${stderr
        .map((s) => s.line)
        .join("\n")
        .slice(-4000)}`,
    );
  if (exitCode !== 0 || lines.length !== 1) {
    throw fail(`bridge exited ${exitCode} with ${lines.length} response lines:\n${stdout}`);
  }
  const response = JSON.parse(lines[0]!) as JsonObject;
  assertValidResponse(response);
  let outputs: JsonObject;
  try {
    outputs = "destroyResourceResponse" in response ? {} : outputsOf(response);
  } catch (error) {
    throw fail((error as Error).message);
  }
  return { ...op, wallMs: op.endMs - op.startMs, outputs };
}

/** Every operation of `requests` at once, each in its own bridge process, started as NixOps4 starts them: one
 * right after the other, each with its request already on its stdin (bench/burst-spawn.py says why not from
 * here). The stderr lines carry the operation's end as their time. Throws the first failure once all have ended. */
export async function runBridgeBurst(
  target: BridgeTarget,
  requests: { label: string; request: JsonObject }[],
): Promise<BridgeOp[]> {
  const dir = await mkdtemp(join(tmpdir(), "bridge-burst-"));
  try {
    const jobs = await Promise.all(
      requests.map(async ({ request }, i) => {
        const job = { stdin: join(dir, `${i}.in`), stdout: join(dir, `${i}.out`), stderr: join(dir, `${i}.err`) };
        await writeFile(job.stdin, JSON.stringify(request) + "\n");
        return { argv: [bridgeBin, "--engine", target.engine], ...job };
      }),
    );
    const env = Object.fromEntries(Object.entries(target.env).filter(([, v]) => v !== undefined));
    const timeoutSeconds = Math.ceil((target.timeoutMs ?? 300_000) / 1000);
    const spawner = await execa("python3", [join(repoRoot, "bench", "burst-spawn.py")], {
      input: JSON.stringify({ env, timeoutSeconds, jobs }),
    });
    const ended = JSON.parse(spawner.stdout) as { pid: number; startMs: number; endMs: number; exitCode: number }[];
    const ops: BridgeOp[] = [];
    const failures: unknown[] = [];
    for (const [i, { label }] of requests.entries()) {
      const { pid, startMs, endMs, exitCode } = ended[i]!;
      const stderr = (await readFile(jobs[i]!.stderr, "utf8"))
        .split("\n")
        .filter((line) => line.length > 0)
        .map((line) => ({ atMs: endMs, line }));
      try {
        ops.push(checkedOp({ label, pid, startMs, endMs, stderr }, exitCode, await readFile(jobs[i]!.stdout, "utf8")));
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
    return ops;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
