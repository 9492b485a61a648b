// Remembers provider binaries that cannot run in debug mode, so later bridges fall back to the engine's normal
// provider start at once instead of waiting for the same failure. Keyed by path, size and mtime: a replaced
// binary at the same path is tried again.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import writeFileAtomic from "write-file-atomic";
import { join } from "node:path";

interface Remembered {
  binaryPath: string;
  size: number;
  mtimeMs: number;
  reason: string;
}

function markerPath(dir: string, binaryPath: string): string {
  const digest = createHash("sha256").update(binaryPath).digest("hex").slice(0, 32);
  return join(dir, `no-debug-${digest}.json`);
}

export async function knownWithoutDebugMode(dir: string, binaryPath: string): Promise<string | undefined> {
  try {
    const remembered = JSON.parse(await readFile(markerPath(dir, binaryPath), "utf8")) as Remembered;
    const info = await stat(binaryPath);
    if (remembered.binaryPath === binaryPath && remembered.size === info.size && remembered.mtimeMs === info.mtimeMs) {
      return remembered.reason;
    }
  } catch {
    // nothing remembered, or the binary changed
  }
  return undefined;
}

export async function rememberWithoutDebugMode(dir: string, binaryPath: string, reason: string): Promise<void> {
  const info = await stat(binaryPath);
  const path = markerPath(dir, binaryPath);
  const content: Remembered = { binaryPath, size: info.size, mtimeMs: info.mtimeMs, reason };
  await writeFileAtomic(path, JSON.stringify(content), { mode: 0o600 });
}
