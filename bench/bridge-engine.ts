// A timing wrapper around the engine binary, handed to the bridge as `--engine` (a flag, not an environment
// variable: the bridge's environment is part of the provider host's key, so changing it would start another host).
// It appends one line per engine command: who ran it, when it started and ended, its exit code and the CPU time
// of the engine and whatever it started. With a trace dir it also keeps the command's TF_LOG_CORE=trace log, from
// which the time spent in each provider RPC is read.
import { chmod, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface EngineWrapper {
  path: string;
  logPath: string;
  traceDir?: string;
}

export async function writeEngineWrapper(
  dir: string,
  name: string,
  engine: string,
  options: { traceDir?: string } = {},
): Promise<EngineWrapper> {
  const path = join(dir, name);
  const logPath = join(dir, `${name}.log`);
  const trace = options.traceDir ? `TF_LOG_CORE=trace TF_LOG_PATH=${JSON.stringify(options.traceDir)}/$$.log ` : "";
  // Bash builtins only between the two clock readings ($EPOCHREALTIME, read from /proc), so the wrapper adds no
  // fork of its own to what it measures; cutime/cstime (fields 16, 17) are the waited-for engine's CPU ticks.
  const script = [
    "#!/bin/bash",
    "start=$EPOCHREALTIME",
    `${trace}${JSON.stringify(engine)} "$@"`,
    "rc=$?",
    "end=$EPOCHREALTIME",
    "read -r -a stat < /proc/$$/stat",
    `printf '%s %s %s %s %s %s %s %s\\n' "$$" "$PPID" "$start" "$end" "$rc" "\${stat[15]}" "\${stat[16]}" "$*" >> ${JSON.stringify(logPath)}`,
    "exit $rc",
    "",
  ].join("\n");
  await writeFile(path, script, { mode: 0o700 });
  await chmod(path, 0o700);
  return { path, logPath, traceDir: options.traceDir };
}

export interface EngineCall {
  wrapperPid: number;
  /** The process that ran the engine: a bridge, or the benchmark itself. */
  parentPid: number;
  startMs: number; // epoch ms
  endMs: number;
  exitCode: number;
  cpuSeconds: number;
  args: string[];
  /** "plan", "apply", "init", "providers schema", "destroy", … */
  command: string;
}

const TICKS_PER_SECOND = 100;

export async function readEngineCalls(wrapper: EngineWrapper): Promise<EngineCall[]> {
  let text: string;
  try {
    text = await readFile(wrapper.logPath, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const [pid, ppid, start, end, rc, utime, stime, ...args] = line.split(" ");
      const positional = args.filter((a) => !a.startsWith("-"));
      return {
        wrapperPid: Number(pid),
        parentPid: Number(ppid),
        startMs: Number(start) * 1000,
        endMs: Number(end) * 1000,
        exitCode: Number(rc),
        cpuSeconds: (Number(utime) + Number(stime)) / TICKS_PER_SECOND,
        args,
        command: positional[0] === "providers" ? positional.slice(0, 2).join(" ") : (positional[0] ?? "?"),
      };
    });
}

export interface TraceBreakdown {
  /** From the wrapper's start to the engine's first log line: exec and Go runtime start. */
  startupMs: number;
  /** Wall time inside provider RPCs, by RPC name (a call's time runs until the engine logs something else). */
  rpcMs: Record<string, number>;
  rpcCalls: Record<string, number>;
  /** Everything else between the first and last log line: config loading, graph building and walking, state. */
  engineCoreMs: number;
  /** From the last log line to the wrapper seeing the engine exit: writing plan or state, exit. */
  exitMs: number;
}

const RPC = /GRPCProvider: (\w+)/;
const CACHED_SCHEMA = /GRPCProvider: returning cached schema/;
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z)/;

/** Attributes the gaps between consecutive trace lines to the provider RPC in flight, if any. The engine asks for
 * the (cached) schema inside many RPCs; those nested asks are not RPCs of their own. */
export function traceBreakdown(trace: string, call: EngineCall): TraceBreakdown {
  const rpcMs: Record<string, number> = {};
  const rpcCalls: Record<string, number> = {};
  let first: number | undefined;
  let previous: number | undefined;
  let inFlight: string | undefined;
  let beforeSchemaAsk: string | undefined;
  let coreMs = 0;
  for (const line of trace.split("\n")) {
    const stamp = TIMESTAMP.exec(line);
    if (!stamp) continue;
    const t = Date.parse(stamp[1]!);
    first ??= t;
    if (previous !== undefined) {
      if (inFlight) rpcMs[inFlight] = (rpcMs[inFlight] ?? 0) + (t - previous);
      else coreMs += t - previous;
    }
    previous = t;
    const rpc = RPC.exec(line)?.[1];
    if (CACHED_SCHEMA.test(line)) {
      inFlight = beforeSchemaAsk; // the schema ask was answered from the engine's cache
    } else if (rpc === "GetProviderSchema") {
      beforeSchemaAsk = inFlight;
      inFlight = rpc;
      rpcCalls[rpc] = (rpcCalls[rpc] ?? 0) + 1;
    } else if (rpc && rpc !== "Close") {
      inFlight = rpc;
      rpcCalls[rpc] = (rpcCalls[rpc] ?? 0) + 1;
    } else {
      inFlight = undefined;
    }
  }
  return {
    startupMs: first === undefined ? 0 : first - call.startMs,
    rpcMs,
    rpcCalls,
    engineCoreMs: coreMs,
    exitMs: previous === undefined ? 0 : call.endMs - previous,
  };
}

/** The trace breakdown of every call the wrapper traced, keyed by the wrapper's pid. */
export async function readTraces(wrapper: EngineWrapper, calls: EngineCall[]): Promise<Map<number, TraceBreakdown>> {
  const result = new Map<number, TraceBreakdown>();
  if (!wrapper.traceDir) return result;
  const files = new Set(await readdir(wrapper.traceDir));
  for (const call of calls) {
    const file = `${call.wrapperPid}.log`;
    if (!files.has(file)) continue;
    result.set(call.wrapperPid, traceBreakdown(await readFile(join(wrapper.traceDir, file), "utf8"), call));
  }
  return result;
}
