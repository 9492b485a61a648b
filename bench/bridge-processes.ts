// The processes a bridge benchmark owns, read from /proc: its own descendants (bridge processes, the engines they
// run, providers an engine starts itself) and the provider hosts living in the benchmark's private host dir (which
// are detached from the bridge that started them) with their provider processes. Other users of the machine
// (other test runs, other hosts) are never counted.
import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export type ProcessKind = "bridge" | "server" | "engine" | "host" | "provider";
const KINDS: ProcessKind[] = ["bridge", "server", "engine", "host", "provider"];

const PAGE_BYTES = 4096;
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  startTime: string;
  /** The program's name, which an exec changes (the pid and start time stay). */
  comm: string;
  rssBytes: number;
  cpuSeconds: number;
  /** CPU seconds of its children it has reaped (a host's engines). */
  childrenCpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // exited between readdir and read
  }
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 of proc(5): ppid is field 4, utime/stime 14/15, starttime 22, rss 24.
  return {
    pid,
    comm: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")),
    ppid: Number(fields[1]),
    startTime: fields[19]!,
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    childrenCpuSeconds: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
    rssBytes: Number(fields[21]) * PAGE_BYTES,
  };
}

function readArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((a) => a.length > 0);
  } catch {
    return [];
  }
}

export interface OwnedProcess extends ProcStat {
  kind: ProcessKind;
  /** A provider host or one of its descendants (the shared provider), as opposed to a bridge's own tree. */
  viaHost: boolean;
}

export interface ProcessMatchers {
  /** The benchmark's private provider host dir: a host is ours when its argv carries `--dir <hostDir>`. */
  hostDir: string;
  /** The engine binary or the benchmark's wrapper around it. */
  engineNames: string[];
}

/** Reads /proc once; the argv of a process is read once per (pid, start time, program name): a host starts its
 * provider through `setpriv`, which execs it, and a sample taken before that exec once cached the provider as
 * "setpriv" for its whole life (neither its count nor its memory was seen). */
export class ProcessTable {
  private readonly argvCache = new Map<string, string[]>();

  constructor(private readonly matchers: ProcessMatchers) {}

  private argv(stat: ProcStat): string[] {
    const key = `${stat.pid}:${stat.startTime}:${stat.comm}`;
    let argv = this.argvCache.get(key);
    if (!argv) {
      argv = readArgv(stat.pid);
      this.argvCache.set(key, argv);
    }
    return argv;
  }

  private classify(argv: string[]): ProcessKind | "host-of-others" | undefined {
    const program = basename(argv[0] ?? "");
    if (program.startsWith("terraform-provider-")) return "provider";
    // The operation server: its first argument is its paths' stem, in the runtime dir (the host dir).
    if (argv.some((a) => a.endsWith("/bundle/operation-server.js"))) {
      const stem = argv[argv.findIndex((a) => a.endsWith("/bundle/operation-server.js")) + 1] ?? "";
      return stem.startsWith(`${this.matchers.hostDir}/`) ? "server" : "host-of-others";
    }
    if (argv.some((a) => a.endsWith("/bundle/host.js"))) {
      const dir = argv[argv.indexOf("--dir") + 1];
      return dir === this.matchers.hostDir ? "host" : "host-of-others";
    }
    // A bridge process: the native relay (until it hands back to Node), or Node running the bridge.
    if (program === "nixops4-opentofu-relay") return "bridge";
    if (argv.some((a) => a.endsWith("bridge/main.js") || a.endsWith("bundle/bridge.js"))) return "bridge";
    if (this.matchers.engineNames.some((name) => argv.slice(0, 2).some((a) => basename(a) === name))) return "engine";
    return undefined;
  }

  /** SIGTERM to our operation servers and provider hosts, then waits (30 s at most) until none of them nor a
   * provider of ours runs: a cold start must find none. */
  async stopHosts(): Promise<void> {
    for (const host of this.owned().filter((p) => p.kind === "host" || p.kind === "server")) {
      try {
        process.kill(host.pid, "SIGTERM");
      } catch {
        // gone already
      }
    }
    for (let waited = 0; waited < 30_000; waited += 200) {
      if (!this.owned().some((p) => p.kind === "host" || p.kind === "server" || p.kind === "provider")) return;
      await sleep(200);
    }
    throw new Error("our provider host did not stop within 30 s");
  }

  /** Our processes of the four kinds: descendants of this process, plus our hosts and their descendants. */
  owned(): OwnedProcess[] {
    const stats: ProcStat[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat) stats.push(stat);
    }
    const children = new Map<number, ProcStat[]>();
    for (const stat of stats) {
      const siblings = children.get(stat.ppid) ?? [];
      siblings.push(stat);
      children.set(stat.ppid, siblings);
    }
    // Servers and hosts are detached: theirs is what they started (a host, engines, the shared provider).
    const hosts = stats.filter((s) => ["host", "server"].includes(this.classify(this.argv(s)) ?? ""));
    const owned: OwnedProcess[] = [];
    const seen = new Set<number>();
    const walk = (root: number, viaHost: boolean) => {
      const queue = [root];
      while (queue.length > 0) {
        const pid = queue.pop()!;
        for (const child of children.get(pid) ?? []) {
          if (seen.has(child.pid)) continue;
          seen.add(child.pid);
          queue.push(child.pid);
          const kind = this.classify(this.argv(child));
          if (kind && kind !== "host-of-others") owned.push({ ...child, kind, viaHost: viaHost || kind === "host" });
        }
      }
    };
    // Hosts first: one still a child of the bridge that spawned it belongs to the host side all the same.
    for (const host of hosts) {
      seen.add(host.pid);
      owned.push({ ...host, kind: this.classify(this.argv(host)) as ProcessKind, viaHost: true });
    }
    for (const host of hosts) walk(host.pid, true);
    walk(process.pid, false);
    return owned;
  }
}

export interface MemoryPeak {
  /** Peak of the summed RSS of all our bridge, engine, host and provider processes. */
  totalMb: number;
  byKindMb: Record<ProcessKind, number>;
  processCountByKind: Record<ProcessKind, number>;
  /** Provider processes alive at the peak, and the most alive at any sample. */
  providerProcessesAtPeak: number;
  maxProviderProcesses: number;
  samples: number;
}

const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
const perKind = <T>(value: () => T) => Object.fromEntries(KINDS.map((k) => [k, value()])) as Record<ProcessKind, T>;

/** Samples the process table on an interval while a phase runs and keeps the peak. */
export class MemorySampler {
  private timer?: NodeJS.Timeout;
  private peak?: OwnedProcess[];
  private peakBytes = 0;
  private maxProviders = 0;
  private count = 0;

  constructor(
    private readonly table: ProcessTable,
    /** Which of our processes count (the hand-run baseline leaves out the idle provider host). */
    private readonly counts: (p: OwnedProcess) => boolean = () => true,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  private sample(): void {
    const processes = this.table.owned().filter(this.counts);
    this.count++;
    const total = processes.reduce((sum, p) => sum + p.rssBytes, 0);
    const providers = processes.filter((p) => p.kind === "provider").length;
    this.maxProviders = Math.max(this.maxProviders, providers);
    if (total > this.peakBytes) {
      this.peakBytes = total;
      this.peak = processes;
    }
  }

  stop(): MemoryPeak {
    clearInterval(this.timer);
    this.sample();
    const peak = this.peak ?? [];
    const byKind = perKind(() => 0);
    const countByKind = perKind(() => 0);
    for (const p of peak) {
      byKind[p.kind] += p.rssBytes;
      countByKind[p.kind]++;
    }
    return {
      totalMb: mb(this.peakBytes),
      byKindMb: Object.fromEntries(KINDS.map((k) => [k, mb(byKind[k])])) as Record<ProcessKind, number>,
      processCountByKind: countByKind,
      providerProcessesAtPeak: countByKind.provider,
      maxProviderProcesses: this.maxProviders,
      samples: this.count,
    };
  }
}

/** CPU seconds of processes that outlive a phase (hosts, their providers) are read before and after it. */
export function cpuSecondsOf(processes: OwnedProcess[], kinds: ProcessKind[]): Map<number, number> {
  return new Map(processes.filter((p) => kinds.includes(p.kind)).map((p) => [p.pid, p.cpuSeconds]));
}

/** User + system CPU seconds of this process's waited-for children (bridges, and through them their engines). */
export function reapedChildrenCpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  // cutime and cstime are fields 16 and 17 of proc(5).
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** Like reapedChildrenCpuSeconds, for a process that is still alive (the moto server, a host): its own CPU seconds. */
export function cpuSecondsOfPid(pid: number): number | undefined {
  return readStat(pid)?.cpuSeconds;
}

/** Busy CPU seconds of the whole machine so far (all users: what we share the cores with), from /proc/stat. */
export function machineBusyCpuSeconds(): number {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number); // not idle, not iowait
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}
