// The project's one cross-process lock: a file per lock, for the one-host-per-key rule, the machine-wide engine
// slots, the per-resource operation locks, the schema dump and the engine's plugin cache. A lock file is created
// atomically (link of a fully written temp file, which fails if the lock exists) and names its owner by pid and
// start time; a lock whose owner died is reclaimed at once, so a lock needs no release on exit and no staleness
// timeout that a slow but live holder could run into (why proper-lockfile, mtime-based, is not used). Reclaiming
// moves the file aside first and checks that what it moved is the dead owner's lock, so two processes reclaiming
// at once cannot delete a lock a live process just took.
import { randomBytes } from "node:crypto";
import { link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive, selfIdentity, type ProcessIdentity } from "./process-identity.js";

interface LockContent extends ProcessIdentity {
  token: string;
}

export interface HeldLock {
  path: string;
  token: string;
  /** True while the file still names this holder (nobody reclaimed it by mistake). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

async function readLock(path: string): Promise<{ raw: string; content?: LockContent } | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    if (code(error) === "ENOENT") return undefined;
    throw error;
  }
  try {
    return { raw, content: JSON.parse(raw) as LockContent };
  } catch {
    return { raw };
  }
}

/** Tries once (plus reclaiming a dead owner's lock); null when a live process holds it. */
export async function tryAcquireLock(path: string): Promise<HeldLock | null> {
  const token = randomBytes(12).toString("hex");
  const raw = JSON.stringify({ ...selfIdentity(), token } satisfies LockContent);
  const temp = `${path}.${token}.tmp`;
  await writeFile(temp, raw, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, path);
        return heldLock(path, token, raw);
      } catch (error) {
        if (code(error) !== "EEXIST") throw error;
      }
      const existing = await readLock(path);
      if (!existing) continue;
      // Content is always complete (written before the link), so unparsable means foreign: treat as held.
      if (!existing.content || isAlive(existing.content)) return null;
      if (!(await reclaim(path, existing.raw, token))) return null;
    }
    return null;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function reclaim(path: string, deadRaw: string, token: string): Promise<boolean> {
  const aside = `${path}.${token}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (code(error) === "ENOENT") return true; // someone else removed it; try to create again
    throw error;
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  if (moved === deadRaw) {
    await unlink(aside).catch(() => undefined);
    return true;
  }
  // We moved a live lock taken between our read and our rename: put it back unless yet another one appeared.
  await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return false;
}

function heldLock(path: string, token: string, raw: string): HeldLock {
  return {
    path,
    token,
    async stillHeld() {
      const current = await readLock(path);
      return current?.raw === raw;
    },
    async release() {
      const current = await readLock(path);
      if (current?.raw === raw) await unlink(path).catch(() => undefined);
    },
  };
}

/** The live owner named by a lock file, if any. */
export async function lockOwner(path: string): Promise<ProcessIdentity | undefined> {
  const existing = await readLock(path);
  if (!existing?.content || !isAlive(existing.content)) return undefined;
  return { pid: existing.content.pid, start: existing.content.start };
}

/** A live process held the lock for longer than the caller would wait. */
export class LockWaitError extends Error {
  constructor(
    message: string,
    readonly owner: ProcessIdentity | undefined,
  ) {
    super(message);
  }
}

/** Takes the lock, waiting up to `waitMs` while a live process holds it (`onWait` is told once, with the holder);
 * then throws LockWaitError naming `what` and the holder's pid. */
export async function waitForLock(
  path: string,
  options: { waitMs: number; what: string; onWait?: (owner: ProcessIdentity | undefined) => void; pollMs?: number },
): Promise<HeldLock> {
  const deadline = Date.now() + options.waitMs;
  const pollMs = options.pollMs ?? 100;
  for (let announced = false; ; announced = true) {
    const lock = await tryAcquireLock(path);
    if (lock) return lock;
    const owner = await lockOwner(path);
    if (Date.now() >= deadline) {
      throw new LockWaitError(
        `${options.what} is held by process ${owner?.pid ?? "?"}, which did not let go within ` +
          `${Math.round(options.waitMs / 1000)} s (lock file ${path})`,
        owner,
      );
    }
    if (!announced) options.onWait?.(owner);
    await sleep(pollMs + Math.random() * pollMs);
  }
}
