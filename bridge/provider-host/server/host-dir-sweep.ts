// Keeps the hosts directory from growing without bound. Host keys differ per provider configuration and
// environment, so most keys never get a host again, and nobody else would ever remove their files: the sockets,
// metadata and lock of a host that was killed (SIGKILL, crash, reboot), the go-plugin sockets of providers that
// died with their host, and logs. A host sweeps once when it starts, holding its own key's lock; the sweep reads
// the directory once and skips whatever it cannot decide or remove (the next host's sweep tries again).
import { lstat, readdir, rm } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { hostPaths } from "../control-protocol.js";
import { clearDeadHost } from "./dead-host.js";
import { tryAcquireLock } from "../../machine/lock-file.js";

// A provider creates its socket before it listens on it, and a host starting now may not have its lock yet:
// a socket this young is left alone even when nothing answers.
const PLUGIN_SOCKET_MIN_AGE_MS = 60_000;
// Long enough to look at a failure from last week; a key whose host ran since then has a fresher log.
const LOG_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

// The stem is 32 hex digits (host-key.ts); `.log.1` is the previous log that openLog rotated away.
const HOST_FILE = /^([0-9a-f]{32})\.(lock|ctl\.sock|json|\d+\.grpc\.sock|log|log\.1)$/;
// go-plugin names its socket "plugin" + random digits (os.CreateTemp in PLUGIN_UNIX_SOCKET_DIR).
const PLUGIN_SOCKET = /^plugin\d+$/;
// An operation server's files (operation-server/server-key.ts): its lock and socket, the start claim and waiting
// room of the bridge starting it, its log.
const SERVER_FILE = /^ops-[0-9a-f]{16}\.(lock|sock|start|wait|log)$/;

export interface SweepCounts {
  deadHosts: number;
  pluginSockets: number;
  logs: number;
  /** Files of operation servers (and of bridges starting one) that were killed. */
  serverFiles: number;
}

export async function sweepHostDir(dir: string, ownStem: string, log: (line: string) => void): Promise<SweepCounts> {
  const counts: SweepCounts = { deadHosts: 0, pluginSockets: 0, logs: 0, serverFiles: 0 };
  const byStem = new Map<string, { suffix: string; name: string }[]>();
  const pluginSockets: string[] = [];
  const serverFiles: string[] = [];
  for (const name of await readdir(dir)) {
    const match = HOST_FILE.exec(name);
    if (SERVER_FILE.test(name)) {
      serverFiles.push(name);
    } else if (match) {
      const files = byStem.get(match[1]!) ?? [];
      files.push({ suffix: match[2]!, name });
      byStem.set(match[1]!, files);
    } else if (PLUGIN_SOCKET.test(name)) {
      pluginSockets.push(name);
    }
  }
  const now = Date.now();

  // Our own key's leftovers were cleared when we took its lock (clearDeadHost in host-server.ts).
  byStem.delete(ownStem);
  for (const [stem, files] of byStem) {
    try {
      const hostFiles = files.filter((f) => !f.suffix.startsWith("log"));
      if (hostFiles.length > 0) {
        if (
          !(await clearIfDead(
            dir,
            stem,
            hostFiles.map((f) => f.name),
            log,
          ))
        )
          continue; // a live host's
        counts.deadHosts++;
      }
      for (const { name } of files.filter((f) => f.suffix.startsWith("log"))) {
        // A host opens its log just before taking its lock, so one starting right now may have an unlocked
        // log, but it writes to it at once, which makes it young.
        if (now - (await lstat(join(dir, name))).mtimeMs > LOG_MAX_AGE_MS) {
          await rm(join(dir, name), { force: true });
          counts.logs++;
        }
      }
    } catch (error) {
      log(`sweep: could not clean up after host ${stem}: ${(error as Error).message}`);
    }
  }

  await sweepServerFiles(dir, serverFiles, now, counts, log);

  for (const name of pluginSockets) {
    const path = join(dir, name);
    try {
      const info = await lstat(path);
      if (!info.isSocket() || now - info.mtimeMs < PLUGIN_SOCKET_MIN_AGE_MS) continue;
      if ((await probe(path)) !== "refused") continue;
      await rm(path, { force: true });
      counts.pluginSockets++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        log(`sweep: could not check ${name}: ${(error as Error).message}`);
    }
  }
  return counts;
}

/** Clears a key's host files if its lock is free or its owner dead: the way a starting host decides it. Holding
 * the lock meanwhile keeps a host of that key from starting until we are done. False when a live host owns it. */
async function clearIfDead(dir: string, stem: string, names: string[], log: (line: string) => void): Promise<boolean> {
  const lock = await tryAcquireLock(hostPaths(dir, stem).lock);
  if (!lock) return false;
  try {
    await clearDeadHost(
      dir,
      stem,
      log,
      names.filter((n) => n.endsWith(".grpc.sock")),
    );
  } finally {
    await lock.release();
  }
  return true;
}

/** A lock (a server's, or a starting bridge's claim) whose owner died is taken and released, which removes it; the
 * socket beside a dead server's lock goes too. Waiting rooms nobody listens on and old logs are removed. */
async function sweepServerFiles(
  dir: string,
  names: string[],
  now: number,
  counts: SweepCounts,
  log: (line: string) => void,
): Promise<void> {
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (name.endsWith(".lock") || name.endsWith(".start")) {
        const lock = await tryAcquireLock(path);
        if (!lock) continue; // a live server's, or a live bridge's claim
        if (name.endsWith(".lock")) {
          const socket = path.replace(/\.lock$/, ".sock");
          if (
            await lstat(socket).then(
              () => true,
              () => false,
            )
          ) {
            await rm(socket, { force: true });
            counts.serverFiles++;
          }
        }
        await lock.release();
        counts.serverFiles++;
      } else if (name.endsWith(".wait")) {
        const info = await lstat(path);
        if (now - info.mtimeMs < PLUGIN_SOCKET_MIN_AGE_MS || (await probe(path)) !== "refused") continue;
        await rm(path, { force: true });
        counts.serverFiles++;
      } else if (name.endsWith(".log") && now - (await lstat(path)).mtimeMs > LOG_MAX_AGE_MS) {
        await rm(path, { force: true });
        counts.logs++;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        log(`sweep: could not check ${name}: ${(error as Error).message}`);
    }
  }
}

/** "refused" only when the kernel says nobody listens (ECONNREFUSED); a busy or slow listener is alive. */
function probe(path: string): Promise<"listening" | "refused" | "unknown"> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("unknown");
    }, 1000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve("listening");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === "ECONNREFUSED" ? "refused" : "unknown");
    });
  });
}
