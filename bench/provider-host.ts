// Benchmark: one aws_iam_user created, updated and destroyed against moto, per operation, as
// (a) a person would by hand: `terraform apply -auto-approve` / `destroy -auto-approve` in an init'ed workspace,
// (d) the bridge's fallback shape without a host: `plan -out` + `apply plan` in an init'ed workspace,
// (b) the bridge's shape through a provider host lease with the pruning proxy,
// (c) the same through a host serving the full schema (what reattaching alone gives),
// plus, for each, a no-change `terraform plan` (one engine command).
// Medians over BENCH_REPS repetitions (default 5), ratios to (a), written to bench/results/provider-host.json.
import { execa } from "execa";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { acquireProviderLease, type ProviderLease } from "../bridge/provider-host/client/index.js";
import { engineBinary } from "../testkit/machine.js";
import { startMoto } from "../testkit/moto.js";
import {
  awsLeaseRequest,
  iamUserConfig,
  mustRun,
  planAndApply,
  planAndDestroy,
  prepareWorkspace,
  runTerraform,
  writeMainTf,
} from "../testkit/provider-host-workspace.js";
import { median } from "./stats.js";

type Op = "create" | "update" | "plan" | "destroy";
// "plan" is a no-change `terraform plan` between update and destroy: one engine command, the clearest view of
// what the schema load costs. The cycle (and the ratio) counts create + update + destroy.
const OPS: Op[] = ["create", "update", "plan", "destroy"];
type Timings = Record<Op, number[]>;
const PLAN_ARGS = ["plan", "-input=false", "-json", "-detailed-exitcode"];

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 5));

/** A plan that must find nothing to do (exit code 0 with -detailed-exitcode). */
async function noChangePlan(dir: string, env: Record<string, string | undefined>) {
  const run = await runTerraform(dir, PLAN_ARGS, env);
  if (run.exitCode !== 0) throw new Error(`no-change plan exited ${run.exitCode}:\n${run.output.slice(-2000)}`);
  return run;
}

function rssMb(pid: number): Promise<number | undefined> {
  return readFile(`/proc/${pid}/status`, "utf8").then(
    (status) => Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024,
    () => undefined,
  );
}

const moto = await startMoto();
const scratch = await mkdtemp(join(tmpdir(), "ph-bench-"));
const hostDir = join(scratch, "hosts");
const baseEnv: NodeJS.ProcessEnv = { ...process.env, ...moto.env };

async function workspace(name: string): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = join(scratch, name);
  await mkdir(dir, { mode: 0o700 });
  return { dir, env: await prepareWorkspace(dir) };
}

/** (a) and (d): the engine starts the provider itself, in a workspace initialised once beforehand. */
async function engineStarted(name: string, shape: "auto-approve" | "plan-apply") {
  const ws = await workspace(name);
  const env = { ...baseEnv, ...ws.env };
  await writeMainTf(ws.dir, iamUserConfig(`${name}-init`, { rev: "0" }));
  await mustRun(ws.dir, ["init", "-input=false"], env);
  return async (op: Op, user: string, rev: string): Promise<number> => {
    if (op === "plan") return (await noChangePlan(ws.dir, env)).ms;
    if (op !== "destroy") await writeMainTf(ws.dir, iamUserConfig(user, { rev }));
    if (shape === "plan-apply") return op === "destroy" ? planAndDestroy(ws.dir, env) : planAndApply(ws.dir, env);
    const args =
      op === "destroy" ? ["destroy", "-auto-approve", "-input=false"] : ["apply", "-auto-approve", "-input=false"];
    return (await mustRun(ws.dir, args, env)).ms;
  };
}

/** (b) and (c): every operation takes a lease (as a fresh bridge would), runs plan + apply, releases. */
const hostsSeen = new Map<string, ProviderLease["host"]>();
const coldLeaseMs: Record<string, number> = {};
async function leased(name: string, prune: boolean) {
  const ws = await workspace(name);
  const env = {
    ...baseEnv,
    NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir,
    NIXOPS4_OPENTOFU_PROVIDER_HOST_PRUNE: prune ? "on" : "off",
  };
  return async (op: Op, user: string, rev: string): Promise<number> => {
    const started = performance.now();
    const lease = await acquireProviderLease(awsLeaseRequest(env));
    if (!lease) throw new Error("no provider host lease");
    const leaseMs = performance.now() - started;
    if (!hostsSeen.has(name)) coldLeaseMs[name] = leaseMs;
    hostsSeen.set(name, lease.host);
    try {
      const engineEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...ws.env, ...lease.engineEnv };
      if (op === "plan") return leaseMs + (await noChangePlan(ws.dir, engineEnv)).ms;
      if (op !== "destroy") await writeMainTf(ws.dir, iamUserConfig(user, { rev }));
      const ms = op === "destroy" ? await planAndDestroy(ws.dir, engineEnv) : await planAndApply(ws.dir, engineEnv);
      return leaseMs + ms;
    } finally {
      await lease.release();
    }
  };
}

const variants = {
  a: {
    label: "terraform apply/destroy -auto-approve, engine starts the provider (init'ed workspace)",
    run: await engineStarted("a", "auto-approve"),
  },
  d: {
    label: "plan -out + apply plan, engine starts the provider (init'ed workspace)",
    run: await engineStarted("d", "plan-apply"),
  },
  b: { label: "plan -out + apply plan through a provider host lease, pruned schema", run: await leased("b", true) },
  c: { label: "plan -out + apply plan through a provider host lease, full schema", run: await leased("c", false) },
};
type Variant = keyof typeof variants;

const timings = Object.fromEntries(
  Object.keys(variants).map((v): [string, Timings] => [v, { create: [], update: [], plan: [], destroy: [] }]),
) as Record<Variant, Timings>;

// A warm-up cycle for the leased variants starts their hosts, so the measured reps see what a second and later
// bridge sees; the host's cold start is reported separately.
for (const v of ["b", "c"] as const) {
  for (const op of OPS) await variants[v].run(op, `${v}-warmup`, "1");
}

for (let rep = 0; rep < reps; rep++) {
  // Interleaved, so drift in machine load hits every variant alike.
  for (const v of Object.keys(variants) as Variant[]) {
    const user = `${v}-user-${rep}`;
    for (const [i, op] of OPS.entries()) timings[v][op].push(await variants[v].run(op, user, String(i)));
    process.stderr.write(
      `rep ${rep + 1}/${reps} ${v}: ${OPS.map((op) => `${op} ${Math.round(timings[v][op].at(-1)!)}`).join(", ")} ms\n`,
    );
  }
}

const cycle = (t: Timings) => t.create.map((_, i) => t.create[i]! + t.update[i]! + t.destroy[i]!);
const baseline = median(cycle(timings.a));
const results = Object.fromEntries(
  (Object.keys(variants) as Variant[]).map((v) => {
    const t = timings[v];
    const cycleMedian = median(cycle(t));
    return [
      v,
      {
        label: variants[v].label,
        medianMs: {
          create: Math.round(median(t.create)),
          update: Math.round(median(t.update)),
          destroy: Math.round(median(t.destroy)),
          cycle: Math.round(cycleMedian),
          noChangePlan: Math.round(median(t.plan)),
        },
        ratioToA: Number((cycleMedian / baseline).toFixed(3)),
        samplesMs: Object.fromEntries(OPS.map((op) => [op, t[op].map(Math.round)])),
      },
    ];
  }),
);

const memory: Record<string, { hostRssMb?: number; providerRssMb?: number }> = {};
for (const [name, host] of hostsSeen) {
  memory[name] = { hostRssMb: await rssMb(host.hostPid), providerRssMb: await rssMb(host.providerPid) };
}

const terraformVersion = (await execa(engineBinary(), ["version", "-json"])).stdout;
const output = {
  benchmark: "provider-host",
  date: new Date().toISOString(),
  machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, node: process.version },
  engine: (JSON.parse(terraformVersion) as { terraform_version: string }).terraform_version,
  reps,
  baseline: "a",
  variants: results,
  hostColdLeaseMs: Object.fromEntries(Object.entries(coldLeaseMs).map(([k, v]) => [k, Math.round(v)])),
  memoryAfterRun: memory,
};

const resultsDir = join(repoRoot, "bench", "results");
await mkdir(resultsDir, { recursive: true });
await writeFile(join(resultsDir, "provider-host.json"), JSON.stringify(output, null, 2) + "\n");
process.stdout.write(JSON.stringify(output, null, 2) + "\n");

for (const host of hostsSeen.values()) {
  try {
    process.kill(host.hostPid, "SIGTERM");
  } catch {
    // already gone
  }
}
await new Promise((r) => setTimeout(r, 1000));
await moto.stop();
await rm(scratch, { recursive: true, force: true });
