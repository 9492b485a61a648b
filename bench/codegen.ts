// Whole-AWS codegen against the engine's own `providers schema -json` in the same run: wall time as a ratio
// (goal ≤ 1.0) and the codegen's peak RSS (goal ≤ 1 GiB), medians of interleaved repetitions, written to
// bench/results/codegen.json. Usage: npm run bench:codegen [-- REPETITIONS]
import { execa } from "execa";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dir as tmpDir } from "tmp-promise";
import { createSchemaWorkspace } from "../codegen/schema/obtain-schema.js";
import { AWS_PROVIDER, engineBinary, pluginMirrorDir } from "../test/support/machine.js";
import { median } from "./stats.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");
const repetitions = Number(process.argv[2] ?? 5);


async function main(): Promise<void> {
  const workspace = await createSchemaWorkspace({ provider: AWS_PROVIDER, engine: engineBinary(), pluginDir: pluginMirrorDir() });
  const scratch = await tmpDir({ unsafeCleanup: true, prefix: "bench-codegen-" });
  try {
    const schemaFile = join(scratch.path, "schema.json");
    const dumpMs: number[] = [];
    const codegenMs: number[] = [];
    const rssBytes: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      let started = performance.now();
      const schema = await workspace.run(["providers", "schema", "-json"]);
      dumpMs.push(performance.now() - started);
      writeFileSync(schemaFile, schema);

      const out = join(scratch.path, `out-${i}`);
      started = performance.now();
      const child = await execa(process.execPath, [join(here, "codegen-child.js"), schemaFile, "5.100.0", out]);
      codegenMs.push(performance.now() - started);
      rssBytes.push((JSON.parse(child.stdout) as { maxRssBytes: number }).maxRssBytes);
      process.stderr.write(`run ${i + 1}/${repetitions}: schema dump ${dumpMs[i]!.toFixed(0)} ms, codegen ${codegenMs[i]!.toFixed(0)} ms, peak RSS ${(rssBytes[i]! / 2 ** 20).toFixed(0)} MiB\n`);
    }
    const result = {
      benchmark: "codegen of hashicorp/aws 5.100.0 (1,526 resources, 608 data sources) vs the engine's providers schema -json",
      engine: workspace.engine,
      repetitions,
      medianSchemaDumpMs: Math.round(median(dumpMs)),
      medianCodegenMs: Math.round(median(codegenMs)),
      timeRatio: Number((median(codegenMs) / median(dumpMs)).toFixed(3)),
      timeRatioGoal: 1.0,
      medianPeakRssMiB: Math.round(median(rssBytes) / 2 ** 20),
      peakRssGoalMiB: 1024,
      samples: { schemaDumpMs: dumpMs.map(Math.round), codegenMs: codegenMs.map(Math.round), peakRssMiB: rssBytes.map((b) => Math.round(b / 2 ** 20)) },
      node: process.version,
      date: new Date().toISOString(),
    };
    mkdirSync(join(repoRoot, "bench", "results"), { recursive: true });
    writeFileSync(join(repoRoot, "bench", "results", "codegen.json"), JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  } finally {
    await scratch.cleanup();
    await workspace.cleanup();
  }
}

await main();
