// After a commit that only moves files (git mv), rewrites every relative import specifier in the tree so that
// it points where its target now lives: `node scripts/fix-moved-imports.mjs COMMIT`. Meant for merges, where
// another branch added imports of a file under its old path. Prints the files it changed; review the diff.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const commit = process.argv[2];
if (!commit) {
  console.error("usage: node scripts/fix-moved-imports.mjs COMMIT");
  process.exit(2);
}
const git = (...args) => execFileSync("git", args, { cwd: root, encoding: "utf8" });
const withoutExtension = (path) => path.replace(/\.(ts|js|mjs)$/, "");

/** Old path → new path, both without extension. */
const moves = new Map();
for (const line of git("diff", "--name-status", "-M", `${commit}~1`, commit).trim().split("\n")) {
  const [status, from, to] = line.split("\t");
  if (status?.startsWith("R") && from && to) moves.set(withoutExtension(from), withoutExtension(to));
}
const oldPathOf = new Map([...moves].map(([from, to]) => [to, from]));

const tracked = new Set(
  git("ls-files")
    .trim()
    .split("\n")
    .map((path) => withoutExtension(path)),
);
const specifier = /((?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["'])(\.{1,2}\/[^"']+?)(\.js|\.ts)?(["'])/g;
for (const file of git("ls-files", "*.ts", "*.mjs").trim().split("\n")) {
  if (!file || file.startsWith("providers/")) continue;
  const text = readFileSync(join(root, file), "utf8");
  // A specifier that resolves to a file of the tree is left alone, so running this twice changes nothing; else it
  // is resolved from where the importing file was (if it moved too) and mapped through the moves.
  const from = dirname(oldPathOf.get(withoutExtension(file)) ?? file);
  const fixed = text.replace(specifier, (match, before, spec, extension, quote) => {
    if (tracked.has(normalize(join(dirname(file), spec)))) return match;
    const target = normalize(join(from, spec));
    const now = moves.get(target);
    if (!now) return match;
    let path = relative(dirname(file), now);
    if (!path.startsWith(".")) path = `./${path}`;
    return `${before}${path}${extension ?? ""}${quote}`;
  });
  if (fixed !== text) {
    writeFileSync(join(root, file), fixed);
    console.log(file);
  }
}
