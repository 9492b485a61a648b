// Whole-AWS codegen against the engine's own `providers schema -json` in the same run: wall time as a ratio
// (goal ≤ 1.0) and the codegen's peak RSS (goal ≤ 1 GiB), medians of interleaved repetitions, written to
// bench/results/codegen.json. Usage: npm run bench:codegen [-- REPETITIONS]
//
// Per repetition: the dump; a probe of how long creating files takes right there (on ext4 without a journal,
// as here, creating files where many were deleted in the last minutes costs many times more, and the machine's
// other test runs delete thousands of files in $TMPDIR); a fresh generation into a new directory; and a
// regeneration over it (what `codegen` does when a user regenerates their package). The output goes where a
// user's package would, under the project (bench/results/, git-ignored), not into $TMPDIR; BENCH_CODEGEN_DIR
// names another parent directory (e.g. /tmp, to see that effect).
import { execa } from "execa";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSchemaWorkspace } from "../opentofu/engine/schema-dump.js";
import { AWS_PROVIDER, engineBinary, pluginMirrorDir } from "../testkit/machine.js";
import { ratio, summary } from "./stats.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");
const resultsDir = join(repoRoot, "bench", "results");
const repetitions = Number(process.argv[2] ?? 5);
const PROBE_FILES = 1000;

/** Milliseconds to create PROBE_FILES small files in a new directory under `parent`. */
function fileCreationProbe(parent: string): number {
  const dir = join(parent, "probe");
  mkdirSync(dir);
  const text = "x".repeat(3000);
  const started = performance.now();
  for (let i = 0; i < PROBE_FILES; i++) writeFileSync(join(dir, `f${i}`), text);
  return performance.now() - started;
}

async function codegen(schemaFile: string, out: string): Promise<{ ms: number; maxRssBytes: number }> {
  const started = performance.now();
  const child = await execa(process.execPath, [join(here, "codegen-child.js"), schemaFile, "5.100.0", out]);
  const ms = performance.now() - started;
  return { ms, maxRssBytes: (JSON.parse(child.stdout) as { maxRssBytes: number }).maxRssBytes };
}

async function main(): Promise<void> {
  const workspace = await createSchemaWorkspace({
    provider: AWS_PROVIDER,
    engine: engineBinary(),
    pluginDir: pluginMirrorDir(),
  });
  mkdirSync(resultsDir, { recursive: true });
  const scratch = mkdtempSync(join(process.env.BENCH_CODEGEN_DIR ?? resultsDir, "codegen-scratch-"));
  try {
    const schemaFile = join(scratch, "schema.json");
    const dumpMs: number[] = [];
    const freshMs: number[] = [];
    const regenerateMs: number[] = [];
    const probeMs: number[] = [];
    const rssBytes: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      const started = performance.now();
      const schema = await workspace.run(["providers", "schema", "-json"]);
      dumpMs.push(performance.now() - started);
      writeFileSync(schemaFile, schema);

      const repetitionDir = join(scratch, `rep-${i}`);
      mkdirSync(repetitionDir);
      probeMs.push(fileCreationProbe(repetitionDir));
      const out = join(repetitionDir, "out");
      const fresh = await codegen(schemaFile, out);
      freshMs.push(fresh.ms);
      rssBytes.push(fresh.maxRssBytes);
      const again = await codegen(schemaFile, out);
      regenerateMs.push(again.ms);
      rssBytes.push(again.maxRssBytes);
      process.stderr.write(
        `run ${i + 1}/${repetitions}: schema dump ${dumpMs[i]!.toFixed(0)} ms, codegen ${freshMs[i]!.toFixed(0)} ms ` +
          `(regenerate ${regenerateMs[i]!.toFixed(0)} ms), ${PROBE_FILES} new files ${probeMs[i]!.toFixed(0)} ms, ` +
          `peak RSS ${(Math.max(fresh.maxRssBytes, again.maxRssBytes) / 2 ** 20).toFixed(0)} MiB\n`,
      );
    }
    const dump = summary(dumpMs);
    const fresh = summary(freshMs);
    const regenerate = summary(regenerateMs);
    const result = {
      benchmark:
        "codegen of hashicorp/aws 5.100.0 (1,526 resources, 608 data sources, 8,541 files) vs the engine's providers schema -json",
      engine: workspace.engine,
      repetitions,
      medianSchemaDumpMs: dump.median,
      medianCodegenMs: fresh.median,
      timeRatio: ratio(fresh.median, dump.median),
      timeRatioGoal: 1.0,
      medianRegenerateMs: regenerate.median,
      regenerateTimeRatio: ratio(regenerate.median, dump.median),
      medianPeakRssMiB: Math.round(summary(rssBytes).median / 2 ** 20),
      peakRssGoalMiB: 1024,
      outputParent: dirname(scratch),
      fileCreationProbe: {
        what: `ms to create ${PROBE_FILES} files of 3 KB in a new directory beside each fresh output, just before it`,
        ...summary(probeMs),
      },
      samples: {
        schemaDumpMs: dump.samples,
        codegenMs: fresh.samples,
        regenerateMs: regenerate.samples,
        peakRssMiB: rssBytes.map((b) => Math.round(b / 2 ** 20)),
      },
      node: process.version,
      loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
      date: new Date().toISOString(),
    };
    writeFileSync(join(resultsDir, "codegen.json"), JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await workspace.cleanup();
  }
}

await main();
