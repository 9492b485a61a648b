// Where a bridge operation's wall time goes, from what the benchmark saw (process start and end, time-stamped
// stderr) and what the engine wrapper logged (each engine command's start, end and CPU time).
import type { BridgeOp } from "./bridge-ops.js";
import type { EngineCall, TraceBreakdown } from "./bridge-engine.js";
import { median } from "./stats.js";

export interface OpPhases {
  wallMs: number;
  /** Process start to the first engine command: Node start, request parsing, schema and validation, workspace
   * files, engine slot, provider lease (or, in the fallback, nothing: init is an engine command). */
  beforeEngineMs: number;
  /** Of beforeEngineMs: waiting for an engine slot, as the bridge logs it (0 when a slot was free). */
  slotWaitMs: number;
  /** Each engine command's wall time, by command ("init", "plan", "apply", …), summed if it ran more than once. */
  engineMs: Record<string, number>;
  /** Between engine commands: reading the plan, writing files. */
  betweenEngineMs: number;
  /** Last engine command's end to process exit: reading state, the response, lease release, exit. */
  afterEngineMs: number;
  engineCpuSeconds: number;
}

const SLOT_ACQUIRED = /engine slot \d+ acquired after (\d+) ms/;

export function opPhases(op: BridgeOp, allCalls: EngineCall[]): OpPhases {
  const calls = allCalls.filter((c) => c.parentPid === op.pid).sort((x, y) => x.startMs - y.startMs);
  const engineMs: Record<string, number> = {};
  let between = 0;
  calls.forEach((call, i) => {
    engineMs[call.command] = (engineMs[call.command] ?? 0) + (call.endMs - call.startMs);
    if (i > 0) between += call.startMs - calls[i - 1]!.endMs;
  });
  const slotWait = op.stderr.map((s) => SLOT_ACQUIRED.exec(s.line)?.[1]).find((v) => v !== undefined);
  return {
    wallMs: Math.round(op.wallMs),
    beforeEngineMs: Math.round(calls.length ? calls[0]!.startMs - op.startMs : op.wallMs),
    slotWaitMs: slotWait === undefined ? 0 : Number(slotWait),
    engineMs: Object.fromEntries(Object.entries(engineMs).map(([k, v]) => [k, Math.round(v)])),
    betweenEngineMs: Math.round(between),
    afterEngineMs: Math.round(calls.length ? op.endMs - calls.at(-1)!.endMs : 0),
    engineCpuSeconds: Number(calls.reduce((sum, c) => sum + c.cpuSeconds, 0).toFixed(2)),
  };
}

/** Medians, field by field, over several operations' phases. */
export function medianPhases(phases: OpPhases[]): OpPhases {
  const field = (get: (p: OpPhases) => number) => Math.round(median(phases.map(get)));
  const commands = [...new Set(phases.flatMap((p) => Object.keys(p.engineMs)))];
  return {
    wallMs: field((p) => p.wallMs),
    beforeEngineMs: field((p) => p.beforeEngineMs),
    slotWaitMs: field((p) => p.slotWaitMs),
    engineMs: Object.fromEntries(commands.map((c) => [c, field((p) => p.engineMs[c] ?? 0)])),
    betweenEngineMs: field((p) => p.betweenEngineMs),
    afterEngineMs: field((p) => p.afterEngineMs),
    engineCpuSeconds: Number(median(phases.map((p) => p.engineCpuSeconds)).toFixed(2)),
  };
}

/** One traced engine command of a bridge operation, rounded for the report. */
export function tracedCommand(call: EngineCall, trace: TraceBreakdown | undefined) {
  const round = (record: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(record)
        .sort(([, x], [, y]) => y - x)
        .map(([k, v]) => [k, Math.round(v)]),
    );
  return {
    command: call.command,
    wallMs: Math.round(call.endMs - call.startMs),
    cpuSeconds: call.cpuSeconds,
    ...(trace && {
      startupMs: Math.round(trace.startupMs),
      providerRpcMs: round(trace.rpcMs),
      providerRpcCalls: trace.rpcCalls,
      engineCoreMs: Math.round(trace.engineCoreMs),
      exitMs: Math.round(trace.exitMs),
    }),
  };
}
