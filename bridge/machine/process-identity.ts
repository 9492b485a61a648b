// Liveness of the process that owns a lock or a host. A pid alone can be reused after a crash, so on Linux the
// kernel's start time of the process (field 22 of /proc/<pid>/stat) is recorded and compared too.
import { readFileSync } from "node:fs";

export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot; absent where /proc is not available. */
  start?: string;
}

function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses; fields after the last ')' are plain,
    // starting with field 3 (state).
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

export function processStart(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

export function selfIdentity(): ProcessIdentity {
  return { pid: process.pid, start: processStart(process.pid) };
}

export function identityOf(pid: number): ProcessIdentity {
  return { pid, start: processStart(pid) };
}

export function isAlive(identity: ProcessIdentity): boolean {
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(identity.pid);
  if (stat === undefined) return true;
  // A zombie has exited; its parent just has not reaped it yet.
  if (stat[0] === "Z") return false;
  return identity.start === undefined || stat[19] === identity.start;
}
