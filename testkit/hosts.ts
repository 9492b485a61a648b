// The provider hosts a test started in its own hosts dir, found through their metadata files (`<key>.json`, which a
// host removes as it stops), and stopped when the test is done.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isAlive } from "../bridge/machine/process-identity.js";
import { waitUntil } from "./wait.js";

/** The pids named by the host metadata files in `hostDir`. */
export function runningHosts(hostDir: string): number[] {
  if (!existsSync(hostDir)) return [];
  return readdirSync(hostDir)
    .filter((name) => /^[0-9a-f]{32}\.json$/.test(name))
    .map((name) => (JSON.parse(readFileSync(join(hostDir, name), "utf8")) as { hostPid: number }).hostPid);
}

/** SIGTERM to one host (it may be gone already). */
export function stopHost(pid: number): void {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // gone already
  }
}

/** Stops every host of `hostDir` and waits until they are gone (true) or `timeoutMs` passed. */
export async function stopHosts(hostDir: string, timeoutMs = 10_000): Promise<boolean> {
  const pids = runningHosts(hostDir);
  pids.forEach(stopHost);
  return waitUntil(() => pids.every((pid) => !isAlive({ pid })), timeoutMs);
}

/** The operation servers serving sessions with their files in `hostDir` (the runtime dir), found through /proc: a
 * server's first argument is its paths' stem there. */
export function operationServers(hostDir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    const entry = argv.findIndex((a) => a.endsWith("/bundle/operation-server.js"));
    if (entry >= 0 && argv[entry + 1]?.startsWith(`${hostDir}/`)) found.push(Number(name));
  }
  return found;
}

/** Stops the operation servers of `hostDir` (each ends its sessions first) and waits until they are gone. */
export async function stopOperationServers(hostDir: string, timeoutMs = 10_000): Promise<boolean> {
  const pids = operationServers(hostDir);
  pids.forEach(stopHost);
  return waitUntil(() => pids.every((pid) => !isAlive({ pid })), timeoutMs);
}
