// Where a bridge process spends its own CPU, from a V8 CPU profile (`node --cpu-prof`): self time summed by npm
// package, repository module, Node internals, garbage collection and idle (waiting for the engine or I/O).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function category(frame: ProfileNode["callFrame"], repoRoot: string): string {
  const { url, functionName } = frame;
  // Ajv compiles each schema into a function evaluated without a source URL.
  if (!url && /^validate\d+$/.test(functionName)) return "npm ajv (generated validators)";
  if (!url) return functionName ? `(${functionName.replace(/^\(|\)$/g, "")})` : "(native)";
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (npm) return `npm ${npm[1]}`;
  const inRepo = url.indexOf(`${repoRoot}/dist/`);
  if (inRepo >= 0) return url.slice(inRepo + repoRoot.length + "/dist/".length);
  if (url.startsWith("node:")) return "node internals (module loading, child processes, streams)";
  return url;
}

export interface CpuProfileSummary {
  wallMs: number;
  /** Self time by category, largest first, in ms; "(idle)" is time the process waited. */
  selfMs: Record<string, number>;
  /** The five functions with the most self time outside "(idle)". */
  topFunctions: { where: string; function: string; ms: number }[];
}

export function summariseCpuProfile(profile: CpuProfile, repoRoot: string): CpuProfileSummary {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, { where: string; function: string; us: number }>();
  for (const [id, us] of byNode) {
    const frame = nodes.get(id)!.callFrame;
    const where = category(frame, repoRoot);
    byCategory.set(where, (byCategory.get(where) ?? 0) + us);
    if (where === "(idle)") continue;
    const key = `${where}\0${frame.functionName}`;
    const entry = byFunction.get(key) ?? { where, function: frame.functionName || "(anonymous)", us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const ms = (us: number) => Math.round(us / 1000);
  return {
    wallMs: ms(profile.endTime - profile.startTime),
    selfMs: Object.fromEntries(
      [...byCategory]
        .sort(([, x], [, y]) => y - x)
        .filter(([, us]) => us >= 5000)
        .map(([k, us]) => [k, ms(us)]),
    ),
    topFunctions: [...byFunction.values()]
      .sort((x, y) => y.us - x.us)
      .slice(0, 5)
      .map((f) => ({ where: f.where, function: f.function, ms: ms(f.us) })),
  };
}

/** Summarises the single profile a `node --cpu-prof --cpu-prof-dir=dir` process left in `dir`. */
export async function readCpuProfile(dir: string, repoRoot: string): Promise<CpuProfileSummary> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile"));
  if (files.length !== 1) throw new Error(`expected one CPU profile in ${dir}, found ${files.length}`);
  return summariseCpuProfile(JSON.parse(await readFile(join(dir, files[0]!), "utf8")) as CpuProfile, repoRoot);
}
