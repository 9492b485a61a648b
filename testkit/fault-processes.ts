// The processes a fault test kills and the bridge it kills them under: a bridge on one request whose progress the
// test can wait for, and the processes (provider, engine, host) that serve one endpoint, found through /proc.
import { execa, type ResultPromise } from "execa";
import { readdirSync, readFileSync } from "node:fs";
import { bridgeBin } from "./bridge-process.js";
import { waitUntil } from "./wait.js";

export interface SpawnedBridge {
  child: ResultPromise;
  /** Resolves once its stderr shows `text` (e.g. "Creating..."); throws after a minute. */
  reached(text: string): Promise<void>;
  stderr(): string;
  stdout(): string;
}

/** A bridge on one request, then EOF, as NixOps4 sends it: the bridge answers and exits. */
export function spawnBridge(request: object, env: Record<string, string | undefined>): SpawnedBridge {
  const child: ResultPromise = execa(bridgeBin, [], {
    env,
    stdin: "pipe",
    reject: false,
    buffer: false,
  });
  let stderr = "";
  let stdout = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stdin!.end(JSON.stringify(request) + "\n");
  const reached = async (text: string) => {
    if (!(await waitUntil(() => stderr.includes(text), 60_000)))
      throw new Error(`bridge never logged "${text}":\n${stderr}`);
  };
  return { child, reached, stderr: () => stderr, stdout: () => stdout };
}

/** Processes whose environment points at `endpoint` and whose command line contains `text`. */
export function processesWith(text: string, endpoint: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      const environ = readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      if (cmdline.some((part) => part.includes(text)) && environ.includes(`AWS_ENDPOINT_URL=${endpoint}`))
        found.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** The program a process runs (argv[0]), or "" once it is gone. */
export function programOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!;
  } catch {
    return "";
  }
}

/** Provider processes serving `endpoint` (the host's own, and any an engine started itself). */
export function providerProcesses(endpoint: string): number[] {
  return processesWith("terraform-provider-aws", endpoint).filter((pid) =>
    programOf(pid).includes("terraform-provider-aws"),
  );
}

/** Engine processes running `command` (apply, plan) against `endpoint`. */
export function engineProcesses(command: string, endpoint: string): number[] {
  return processesWith(command, endpoint).filter((pid) => /(terraform|tofu)$/.test(programOf(pid)));
}
