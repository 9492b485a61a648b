// Where a secret may have been left on disk: every file written since a test started, under the given roots (the
// temp dir, the bridge's cache, state and runtime dirs), that holds any of the given strings. Zip archives (the
// engine's saved plan, tfplan) are looked into: their entries are compressed.
import { unzipSync } from "fflate";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const VITE_TRANSFORMED = "__vite_ssr_import__";

/** Paths of files modified at or after `sinceMs` (less a second of clock slack) that contain one of `needles`. */
export function filesHolding(roots: string[], needles: string[], sinceMs: number): string[] {
  const offenders: string[] = [];
  const scan = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let info;
      try {
        info = statSync(path);
      } catch {
        continue;
      }
      if (info.isDirectory()) {
        // Vitest's own temp files hold the test sources, and so the secrets the tests use.
        if (depth < 6 && !name.startsWith("vitest")) scan(path, depth + 1);
      } else if (info.isFile() && info.mtimeMs >= sinceMs - 1000 && info.size < 50_000_000) {
        const content = readFileSync(path);
        // Vitest keeps each project's transformed test modules (the test sources, so the secrets the tests use)
        // under a randomly named temp dir of its own; such a module is recognised by vite's import rewriting.
        if (content.includes(VITE_TRANSFORMED)) continue;
        if (needles.some((needle) => content.includes(needle))) offenders.push(path);
        else if (zipEntries(content).some((entry) => needles.some((needle) => entry.includes(needle))))
          offenders.push(path);
      }
    }
  };
  roots.filter(Boolean).forEach((root) => scan(root, 0));
  return offenders;
}

/** The inflated entries of a zip archive; none for anything else (or a zip still being written). */
function zipEntries(content: Buffer): Buffer[] {
  if (content.length < 4 || content.readUInt32LE(0) !== 0x04034b50) return [];
  try {
    return Object.values(unzipSync(content)).map((bytes) => Buffer.from(bytes));
  } catch {
    return [];
  }
}
