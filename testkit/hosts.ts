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
