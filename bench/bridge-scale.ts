// Benchmark: the bridge at NixOps4's scale, as NixOps4 starts it (every independent resource's bridge at once) on
// a cold machine (no provider host: a fresh provider configuration, or the previous host idled out) and warm (the
// host of the previous run still up), against one `terraform apply -auto-approve` of the same N resources in a
// workspace init'ed beforehand, in the same run, on one moto server on 127.0.0.1.
//   scenarios: 20 two at a time, 20 at once, 100 at once, 500 at once (BENCH_SCALES="20x2,20,100,500");
//   per run: wall time, host and provider processes started for the key, peak memory above idle (summed RSS and
//   summed private memory of our processes; MemAvailable of the machine), CPU seconds per kind of process, and a
//   check in moto that every object exists exactly once.
// Medians with their samples, ratios against the hand-run apply of the same N, written to bench/results/bridge-scale.json.
// Knobs: BENCH_SCALES, BENCH_SCALE_REPS (default 3; the 500 scenario runs min(reps, 2) times).
import { IAMClient, ListUsersCommand, type User } from "@aws-sdk/client-iam";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { basename, join } from "node:path";
import { resolveEngine } from "../opentofu/engine/engine-binary.js";
import { awsBridgeEnv } from "../testkit/aws-bridge.js";
import { repoRoot } from "../testkit/bridge-process.js";
import { AWS_PROVIDER, engineBinary } from "../testkit/machine.js";
import { startMoto } from "../testkit/moto.js";
import { createRequest, inPool, runBridgeBurst, runBridgeOp, scaleResources, type BridgeTarget } from "./bridge-ops.js";
import {
  cpuSecondsOfPid,
  machineBusyCpuSeconds,
  ProcessTable,
  reapedChildrenCpuSeconds,
  type OwnedProcess,
} from "./bridge-processes.js";
import { HandWorkspace } from "./bridge-terraform.js";
import { median, ratio } from "./stats.js";

interface Scenario {
  name: string;
  /** Resources: half buckets, half users. */
  n: number;
  concurrency: number;
}

const scenarios: Scenario[] = (process.env.BENCH_SCALES ?? "20x2,20,100,500").split(",").map((spec) => {
  const [n, concurrency] = spec.split("x").map(Number);
  if (!n || n % 2 !== 0) throw new Error(`BENCH_SCALES: "${spec}" must be an even count, optionally xCONCURRENCY`);
  return { name: concurrency ? `${n} ${concurrency} at a time` : `${n} at once`, n, concurrency: concurrency || n };
});
const reps = Math.max(1, Number(process.env.BENCH_SCALE_REPS ?? 3) || 3);
// Which runs each repetition makes (default all three); e.g. "cold,terraform" for a long scenario.
const PHASES = ["cold", "warm", "terraform"] as const;
const phases = (process.env.BENCH_SCALE_PHASES ?? PHASES.join(",")).split(",").map((p) => {
  const phase = PHASES.find((known) => known === p.trim());
  if (!phase) throw new Error(`BENCH_SCALE_PHASES: "${p}" is not one of ${PHASES.join(", ")}`);
  return phase;
});
const HOST_IDLE_SECONDS = 900;

const runStarted = performance.now();
const loadAtStart = loadavg();
const progress = (line: string) =>
  process.stderr.write(`[bench:scale ${Math.round((performance.now() - runStarted) / 1000)}s] ${line}\n`);

const moto = await startMoto();
const scratch = await mkdtemp(join(tmpdir(), "bs-"));
const hostDir = join(scratch, "hosts");
const engine = resolveEngine(engineBinary());
const bridge = awsBridgeEnv(moto, {
  NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: hostDir,
  NIXOPS4_OPENTOFU_PROVIDER_HOST_IDLE_SECONDS: String(HOST_IDLE_SECONDS),
});
const target: BridgeTarget = { env: bridge.env, engine, provider: bridge.provider };
const handEnv = { ...process.env, ...moto.env };
const table = new ProcessTable({ hostDir, engineNames: [basename(engine)] });

process.on("exit", () => {
  for (const host of table.owned().filter((p) => p.kind === "host")) {
    try {
      process.kill(host.pid, "SIGTERM");
    } catch {
      // gone already
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  bridge.cleanup();
});

const awsClient = {
  endpoint: moto.endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
};
const iam = new IAMClient(awsClient);
const s3 = new S3Client({ ...awsClient, forcePathStyle: true });

async function allUsers(): Promise<User[]> {
  const users: User[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListUsersCommand({ Marker: marker, MaxItems: 1000 }));
    users.push(...(page.Users ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return users;
}

/** Every object of the run exists exactly once in moto, checked independently of bridge and engine. */
async function assertCreated(prefix: string, n: number): Promise<void> {
  const users = (await allUsers()).map((u) => u.UserName).filter((name) => name?.startsWith(`${prefix}-`));
  const buckets = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? [])
    .map((b) => b.Name)
    .filter((name) => name?.startsWith(`${prefix}-`));
  if (users.length !== n / 2 || buckets.length !== n / 2 || new Set(users).size !== users.length) {
    throw new Error(
      `${prefix}: expected ${n / 2} users and ${n / 2} buckets in moto, found ${users.length} and ${buckets.length}`,
    );
  }
}

function hostStartsSoFar(): number {
  if (!existsSync(hostDir)) return 0;
  return readdirSync(hostDir)
    .filter((name) => /\.log(\.1)?$/.test(name))
    .reduce(
      (sum, name) =>
        sum +
        readFileSync(join(hostDir, name), "utf8")
          .split("\n")
          .filter((l) => / starting for /.test(l)).length,
      0,
    );
}

const PAGE = 4096;
function privateBytes(pid: number): number {
  try {
    const [, resident, shared] = readFileSync(`/proc/${pid}/statm`, "utf8").split(" ").map(Number);
    return (resident! - shared!) * PAGE;
  } catch {
    return 0;
  }
}

function memAvailableBytes(): number {
  const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}

type Kind = OwnedProcess["kind"];
const KINDS: Kind[] = ["bridge", "server", "engine", "host", "provider"];

/** Peak memory of our processes above what they held before the phase, the providers seen, the CPU they used. */
class PhaseSampler {
  private timer?: NodeJS.Timeout;
  private readonly idle: ReturnType<PhaseSampler["read"]>;
  private readonly idleAvailable = memAvailableBytes();
  private peakRss = 0;
  private peakPrivate = 0;
  private peakByKind: Record<Kind, number> = { bridge: 0, server: 0, engine: 0, host: 0, provider: 0 };
  private peakCount: Record<Kind, number> = { bridge: 0, server: 0, engine: 0, host: 0, provider: 0 };
  private minAvailable = this.idleAvailable;
  private readonly providers = new Set<number>();
  private readonly providersBefore: Set<number>;
  private readonly cpuBefore: ReturnType<PhaseSampler["cpu"]>;
  private readonly started = performance.now();
  private readonly counts: (p: OwnedProcess) => boolean;

  constructor(counts: (p: OwnedProcess) => boolean = () => true) {
    // Assigned before the first read (field initialisers run before parameter properties).
    this.counts = counts;
    this.idle = this.read();
    this.cpuBefore = this.cpu();
    this.providersBefore = new Set(this.idle.processes.filter((p) => p.kind === "provider").map((p) => p.pid));
  }

  private read() {
    const processes = table.owned().filter(this.counts);
    const withPrivate = processes.map((p) => ({ ...p, privateBytes: privateBytes(p.pid) }));
    return {
      processes: withPrivate,
      rss: withPrivate.reduce((s, p) => s + p.rssBytes, 0),
      private: withPrivate.reduce((s, p) => s + p.privateBytes, 0),
    };
  }

  private cpu() {
    const owned = table.owned();
    const sumOf = (kind: Kind | Kind[], field: "cpuSeconds" | "childrenCpuSeconds") =>
      new Map(owned.filter((p) => [kind].flat().includes(p.kind) && p.viaHost).map((p) => [p.pid, p[field]]));
    return {
      reaped: reapedChildrenCpuSeconds(),
      hosts: sumOf("host", "cpuSeconds"),
      servers: sumOf("server", "cpuSeconds"),
      // Engines the host reaped, and those the operation server ran itself (no host for the provider).
      hostEngines: sumOf(["host", "server"], "childrenCpuSeconds"),
      providers: sumOf("provider", "cpuSeconds"),
      moto: cpuSecondsOfPid(moto.pid) ?? 0,
      machine: machineBusyCpuSeconds(),
    };
  }

  start(): this {
    this.timer = setInterval(() => this.sample(), 200);
    return this;
  }

  private sample(): void {
    const now = this.read();
    for (const p of now.processes) if (p.kind === "provider") this.providers.add(p.pid);
    this.minAvailable = Math.min(this.minAvailable, memAvailableBytes());
    if (now.private > this.peakPrivate) this.peakPrivate = now.private;
    if (now.rss > this.peakRss) {
      this.peakRss = now.rss;
      for (const kind of KINDS) {
        this.peakByKind[kind] = now.processes.filter((p) => p.kind === kind).reduce((s, p) => s + p.rssBytes, 0);
        this.peakCount[kind] = now.processes.filter((p) => p.kind === kind).length;
      }
    }
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    const after = this.cpu();
    const before = this.cpuBefore;
    const delta = (was: Map<number, number>, is: Map<number, number>) =>
      [...is].reduce((s, [pid, v]) => s + v - (was.get(pid) ?? 0), 0);
    const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
    const round = (v: number) => Number(v.toFixed(2));
    const wallSeconds = (performance.now() - this.started) / 1000;
    // A host started in this phase was detached from the bridge that spawned it: its whole CPU counts.
    const bridges = after.reaped - before.reaped;
    const hosts = delta(before.hosts, after.hosts);
    const servers = delta(before.servers, after.servers);
    const engines = delta(before.hostEngines, after.hostEngines);
    const providers = delta(before.providers, after.providers);
    const moto = after.moto - before.moto;
    return {
      memory: {
        rssAboveIdleMiB: mib(this.peakRss - this.idle.rss),
        privateAboveIdleMiB: mib(this.peakPrivate - this.idle.private),
        machineMemAvailableDropMiB: mib(this.idleAvailable - this.minAvailable),
        rssAtPeakByKindMiB: Object.fromEntries(KINDS.map((k) => [k, mib(this.peakByKind[k])])),
        processesAtPeak: this.peakCount,
      },
      providerProcessesStarted: [...this.providers].filter((pid) => !this.providersBefore.has(pid)).length,
      cpuSeconds: {
        bridges: round(bridges),
        operationServer: round(servers),
        hostNode: round(hosts),
        hostEngines: round(engines),
        provider: round(providers),
        moto: round(moto),
        total: round(bridges + servers + hosts + engines + providers + moto),
        coreSecondsAvailable: round(wallSeconds * availableParallelism()),
        othersOnTheMachine: round(
          after.machine - before.machine - (bridges + servers + hosts + engines + providers + moto),
        ),
      },
    };
  }
}

type PhaseResult = { wallMs: number; hostStarts: number } & ReturnType<PhaseSampler["stop"]>;

async function bridgeRun(scenario: Scenario, prefix: string): Promise<PhaseResult> {
  const specs = scaleResources(prefix, scenario.n / 2);
  const hostsBefore = hostStartsSoFar();
  const sampler = new PhaseSampler().start();
  const started = performance.now();
  // Every bridge of a burst waits for the whole burst's engine runs: at 500 at once on two cores the last ones
  // answer after more than five minutes, which is a result to measure, not a failure.
  const burst: BridgeTarget = { ...target, timeoutMs: Math.max(300_000, scenario.n * 2_000) };
  let wallMs: number;
  if (scenario.concurrency >= scenario.n) {
    const ops = await runBridgeBurst(
      burst,
      specs.map((spec) => ({ label: `${prefix} ${spec.type}`, request: createRequest(burst, spec) })),
    );
    // From the first bridge's start to the last one's end: the spawner's own start is not the bridge's.
    wallMs = Math.max(...ops.map((op) => op.endMs)) - Math.min(...ops.map((op) => op.startMs));
  } else {
    await inPool(
      specs.map((spec) => () => runBridgeOp(burst, `${prefix} ${spec.type}`, createRequest(burst, spec))),
      scenario.concurrency,
    );
    wallMs = performance.now() - started;
  }
  const measured = sampler.stop();
  await assertCreated(prefix, scenario.n);
  await moto.reset();
  return { wallMs, hostStarts: hostStartsSoFar() - hostsBefore, ...measured };
}

async function handRun(workspace: HandWorkspace, scenario: Scenario, prefix: string): Promise<PhaseResult> {
  // The idle provider host is not part of the hand-run baseline.
  const sampler = new PhaseSampler((p) => !p.viaHost).start();
  const wallMs = await workspace.apply(scaleResources(prefix, scenario.n / 2));
  const measured = sampler.stop();
  await assertCreated(prefix, scenario.n);
  await moto.reset();
  await workspace.forgetState();
  return { wallMs, hostStarts: 0, ...measured };
}

// The schema cache is filled once, untimed: "cold" here is the machine NixOps4 usually meets, no host running.
progress("warm-up: schema cache (untimed)");
await runBridgeOp(target, "warm-up", createRequest(target, scaleResources("bench-warmup", 1)[1]!));
await moto.reset();

const results: Record<string, { cold: PhaseResult[]; warm: PhaseResult[]; terraform: PhaseResult[] }> = {};
const failures: { scenario: string; phase: string; rep: number; message: string }[] = [];
for (const scenario of scenarios) {
  const runs = (results[scenario.name] = {
    cold: [] as PhaseResult[],
    warm: [] as PhaseResult[],
    terraform: [] as PhaseResult[],
  });
  const workspace = await HandWorkspace.prepare(join(scratch, `ws-${scenario.n}`), handEnv, scaleResources("init", 1));
  const scenarioReps = scenario.n >= 500 ? Math.min(reps, 2) : reps;
  for (let rep = 0; rep < scenarioReps; rep++) {
    const tag = `${scenario.n}x${scenario.concurrency}-${rep}`;
    for (const phase of phases) {
      try {
        if (phase === "cold") await table.stopHosts();
        const prefix = `bs-${phase[0]}-${tag}`;
        runs[phase].push(
          phase === "terraform" ? await handRun(workspace, scenario, prefix) : await bridgeRun(scenario, prefix),
        );
      } catch (error) {
        failures.push({ scenario: scenario.name, phase, rep, message: (error as Error).message.slice(0, 3000) });
        progress(
          `${scenario.name} ${phase} rep ${rep + 1} failed: ${(error as Error).message.split("\n").slice(0, 3).join(" ")}`,
        );
        await moto.reset();
      }
    }
    const last = (phase: "cold" | "warm" | "terraform") => Math.round(runs[phase].at(-1)?.wallMs ?? NaN);
    progress(
      `${scenario.name} rep ${rep + 1}/${scenarioReps}: cold ${last("cold")} ms, warm ${last("warm")} ms, terraform ${last("terraform")} ms`,
    );
  }
}

const summarise = (runs: PhaseResult[], terraform: PhaseResult[]) => {
  const wall = runs.map((r) => Math.round(r.wallMs));
  const tf = median(terraform.map((r) => r.wallMs));
  return {
    wallMs: { median: Math.round(median(wall)), samples: wall },
    overTerraform: { median: ratio(median(wall), tf), samples: runs.map((r) => ratio(r.wallMs, tf)) },
    hostStarts: runs.map((r) => r.hostStarts),
    providerProcessesStarted: runs.map((r) => r.providerProcessesStarted),
    rssAboveIdleMiB: {
      median: median(runs.map((r) => r.memory.rssAboveIdleMiB)),
      samples: runs.map((r) => r.memory.rssAboveIdleMiB),
    },
    privateAboveIdleMiB: {
      median: median(runs.map((r) => r.memory.privateAboveIdleMiB)),
      samples: runs.map((r) => r.memory.privateAboveIdleMiB),
    },
    machineMemAvailableDropMiB: runs.map((r) => r.memory.machineMemAvailableDropMiB),
    runs,
  };
};

const output = {
  benchmark: "bridge-scale",
  date: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadAtStart.map((l) => Number(l.toFixed(2))),
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
  },
  provider: AWS_PROVIDER,
  method:
    "per scenario and repetition: cold (our host stopped first; the schema cache exists), warm (the cold run's host " +
    "still up), then one terraform apply -auto-approve of the same N resources in a workspace init'ed beforehand; " +
    "each bridge is its own process started by this benchmark, as NixOps4 starts them (all at once: by " +
    "bench/burst-spawn.py, one right after the other with the request on stdin, timed from the first start to the " +
    "last end; n at a time: from Node); moto is reset after " +
    "each run and every object is counted in it; memory: peak over 200 ms samples of the summed RSS and of the " +
    "summed private memory (statm resident - shared) of our processes, above the same sum just before the run; " +
    "MemAvailable drop is machine-wide (other users of the machine move it)",
  settings: { reps, scenarios, hostIdleSeconds: HOST_IDLE_SECONDS },
  scenarios: Object.fromEntries(
    Object.entries(results).map(([name, runs]) => [
      name,
      {
        cold: summarise(runs.cold, runs.terraform),
        warm: summarise(runs.warm, runs.terraform),
        terraform: {
          wallMs: {
            median: Math.round(median(runs.terraform.map((r) => r.wallMs))),
            samples: runs.terraform.map((r) => Math.round(r.wallMs)),
          },
          rssAboveIdleMiB: runs.terraform.map((r) => r.memory.rssAboveIdleMiB),
          privateAboveIdleMiB: runs.terraform.map((r) => r.memory.privateAboveIdleMiB),
          runs: runs.terraform,
        },
      },
    ]),
  ),
  failures: { count: failures.length, list: failures },
  totalRunSeconds: Math.round((performance.now() - runStarted) / 1000),
};

const resultsDir = join(repoRoot, "bench", "results");
await mkdir(resultsDir, { recursive: true });
await writeFile(join(resultsDir, "bridge-scale.json"), JSON.stringify(output, null, 2) + "\n");
const brief = Object.fromEntries(
  Object.entries(output.scenarios).map(([name, s]) => [
    name,
    {
      coldOverTerraform: s.cold.overTerraform,
      warmOverTerraform: s.warm.overTerraform,
      coldWallMs: s.cold.wallMs,
      terraformWallMs: s.terraform.wallMs,
      hostStartsCold: s.cold.hostStarts,
      providersStartedCold: s.cold.providerProcessesStarted,
      coldPrivateAboveIdleMiB: s.cold.privateAboveIdleMiB,
      coldRssAboveIdleMiB: s.cold.rssAboveIdleMiB,
    },
  ]),
);
process.stdout.write(JSON.stringify({ scenarios: brief, failures: failures.length }, null, 2) + "\n");
await table.stopHosts();
await moto.stop();
