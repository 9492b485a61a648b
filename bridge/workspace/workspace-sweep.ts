// What a killed bridge or provider host leaves in the temp directory: its workspaces, whose main.tf.json holds
// the provider configuration and whose terraform.tfstate holds sensitive attributes, and the engine and provider
// processes still running in them (a SIGKILLed bridge's engine dies of SIGPIPE at its next line of output and
// leaves its provider behind). Workspace names carry their owner's pid and start time (workspace-dir.ts), so the
// first workspace a process makes sweeps, once, those whose owner is dead: their processes are killed, the
// directories removed.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { isAlive, processStart } from "../machine/process-identity.js";

export const WORKSPACE_PREFIX = "nixops4-opentofu-";
const OWNED = /^nixops4-opentofu-(\d+)-(\d+|x)-/;

/** The prefix of this process's workspaces: its pid and start time. */
export function ownWorkspacePrefix(): string {
  return `${WORKSPACE_PREFIX}${process.pid}-${processStart(process.pid) ?? "x"}-`;
}

/** Processes whose working directory is `dir` or below it. */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of pids) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(pid));
    } catch {
      // gone, or not ours to look at
    }
  }
  return found;
}

function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}

/** Removes the workspaces of dead owners under `tempDir`; returns how many. */
export async function sweepDeadWorkspaces(tempDir: string, log?: (line: string) => void): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(tempDir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const match = OWNED.exec(name);
    if (!match) continue;
    const owner = { pid: Number(match[1]), start: match[2] === "x" ? undefined : match[2] };
    if (isAlive(owner)) continue;
    const dir = join(tempDir, name);
    // The engine runs as the leader of its own process group, with its provider in it: killing the group also
    // takes a provider it was starting while we looked. A second look catches what the first one missed.
    for (let round = 0; round < 2; round++) {
      for (const pid of processesIn(dir)) {
        const group = processGroupOf(pid);
        try {
          process.kill(group === pid ? -pid : pid, "SIGKILL");
          log?.(`killed process ${pid} left running in the workspace of dead process ${owner.pid}`);
        } catch {
          // already gone
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    removed++;
  }
  if (removed > 0) log?.(`removed ${removed} workspace(s) that killed processes left in ${tempDir}`);
  return removed;
}
