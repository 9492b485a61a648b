// Drives the built nixops4-state-s3 executable as NixOps4 drives a state provider: one long-lived process, a
// request line at a time, each answered before the next is sent, stdin closed at the end. Every response is
// checked against the upstream protocol schema.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { assertValidResponse } from "./protocol.js";
import { repoRoot } from "./repo-root.js";

export const stateProviderBin = join(repoRoot, "dist", "state-s3", "main.js");

export interface StateSessionProcess {
  pid: number;
  send(request: object): Promise<Record<string, any>>;
  /** Writes the request without waiting for its answer. */
  write(request: object): void;
  /** Closes stdin (what NixOps4 does at the end of a run) and resolves with the exit code. */
  close(): Promise<number | null>;
  /** Resolves with the exit code (null when the signal ended the process). */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  stderr(): string;
}

export function startStateSession(env: Record<string, string | undefined>): StateSessionProcess {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [stateProviderBin], { env, stdio: "pipe" });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += String(chunk)));
  const waiting: ((line: string) => void)[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => waiting.shift()?.(line));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const next = () =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const onExit = () => reject(new Error(`nixops4-state-s3 exited without answering; stderr:\n${stderr}`));
      child.once("exit", onExit);
      waiting.push((line) => {
        child.off("exit", onExit);
        const response = JSON.parse(line) as Record<string, any>;
        assertValidResponse(response);
        resolve(response);
      });
    });
  return {
    pid: child.pid!,
    write: (request) => child.stdin.write(JSON.stringify(request) + "\n"),
    send(request) {
      const answer = next();
      child.stdin.write(JSON.stringify(request) + "\n");
      return answer;
    },
    close() {
      child.stdin.end();
      return exited;
    },
    kill(signal) {
      child.kill(signal);
      return exited;
    },
    stderr: () => stderr,
  };
}

/** The requests NixOps4 sends for one state resource with these inputs. */
export function stateRequests(inputProperties: Record<string, unknown>) {
  const resource = { type: "s3.object", inputProperties, outputProperties: {} };
  return {
    create: { createResourceRequest: { type: "s3.object", inputProperties, isStateful: false } },
    read: { stateResourceReadRequest: { resource } },
    readOnly: { stateResourceReadRequest: { resource: { type: "s3.object", inputProperties } } },
    event: (patch: object[], event = "create") => ({
      stateResourceEvent: { resource, event, nixopsVersion: "0.1.0", patch },
    }),
  };
}
