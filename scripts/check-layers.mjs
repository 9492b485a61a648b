// Which top-level folder may import which (CONTRIBUTING.md, "Layout"). opentofu/ is the layer below both the
// bridge and the codegen; those two never import each other, so either can change without the other. Checks
// static imports, dynamic import() and new URL("…", import.meta.url) of every tracked TypeScript file.
// `--graph` prints the edges between top-level folders instead (one line per edge, with a count of imports).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Folder → folders it must not import (tests included: a test of the core must not need the bridge either). */
const FORBIDDEN = {
  opentofu: ["bridge", "codegen", "cli", "bench", "demo"],
  bridge: ["codegen", "cli", "demo"],
  codegen: ["bridge", "cli", "bench", "demo"],
};

const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "*.ts"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((f) => f && !f.startsWith("providers/") && !f.endsWith(".d.ts"));
const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)(["'`])(\.{1,2}\/[^"'`]*)\1/g;

const edges = new Map();
const violations = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(join(root, file), "utf8");
  } catch {
    continue; // deleted in the work tree
  }
  const from = file.split("/")[0];
  for (const match of text.matchAll(specifier)) {
    const target = normalize(join(dirname(file), match[2]));
    const to = target.split("/")[0];
    if (to === from || to === "..") continue;
    const key = `${from} -> ${to}`;
    edges.set(key, (edges.get(key) ?? 0) + 1);
    if (FORBIDDEN[from]?.includes(to)) violations.push(`${file} imports ${match[2]} (${from}/ must not import ${to}/)`);
  }
}

if (process.argv.includes("--graph")) {
  for (const [edge, count] of [...edges].sort()) console.log(`${edge} (${count})`);
} else if (violations.length > 0) {
  console.error(`layer violations:\n${violations.map((v) => `  ${v}`).join("\n")}`);
  process.exit(1);
} else {
  console.log(`layers: ${files.length} files, no forbidden import`);
}
