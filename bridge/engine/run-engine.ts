// Runs one engine command with the machine-readable UI and collects what the bridge needs from it.
import { execa } from "execa";
import { createInterface } from "node:readline";
import { trackEngine } from "./interrupts.js";
import { parseUiLine, type Diagnostic, type UiMessage } from "./json-ui.js";

export interface EngineCommand {
  engine: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Aborting it gives the engine its one SIGINT (its graceful stop: in-flight calls finish, state is written). */
  signal?: AbortSignal;
}

export interface EngineOutcome {
  exitCode: number;
  messages: UiMessage[];
  diagnostics: Diagnostic[];
  /** The end of the engine's stderr and of its non-JSON stdout, for crash reports and commands without a JSON UI
   * (may hold provider panics: redact before showing). */
  stderrTail: string;
  signal?: string;
}

const STDERR_TAIL = 16 * 1024;

// Variables that would let the user's shell settings redirect or alter what the workspace runs.
const DROPPED_ENV = /^(TF_CLI_ARGS(_.*)?|TF_DATA_DIR|TF_WORKSPACE|TF_PLUGIN_CACHE_DIR|TF_REATTACH_PROVIDERS|TF_CLI_CONFIG_FILE)$/;

export function engineEnvironment(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(base)) if (!DROPPED_ENV.test(key)) env[key] = value;
  return { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1", ...extra };
}

export class EngineStartError extends Error {}

export async function runEngine(command: EngineCommand, onMessage: (message: UiMessage) => void): Promise<EngineOutcome> {
  const child = execa(command.engine, command.args, {
    cwd: command.cwd,
    env: command.env,
    extendEnv: false,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    reject: false,
    buffer: false,
    detached: true,
    cleanup: true,
  });
  trackEngine(child);
  const interrupt = () => child.kill("SIGINT");
  if (command.signal?.aborted) interrupt();
  else command.signal?.addEventListener("abort", interrupt, { once: true });
  const messages: UiMessage[] = [];
  let stderrTail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
  });
  const lines = createInterface({ input: child.stdout! });
  const linesDone = new Promise<void>((resolve) => lines.once("close", () => resolve()));
  lines.on("line", (line) => {
    const message = parseUiLine(line);
    if (!message) {
      stderrTail = (stderrTail + line + "\n").slice(-STDERR_TAIL);
      return;
    }
    messages.push(message);
    onMessage(message);
  });
  const result = await child;
  command.signal?.removeEventListener("abort", interrupt);
  await linesDone;
  if (result.failed && result.exitCode === undefined && !result.signal) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    throw new EngineStartError(
      code === "ENOENT"
        ? `engine "${command.engine}" was not found; pass --engine /path/to/tofu (or NIXOPS4_OPENTOFU_ENGINE)`
        : `engine "${command.engine}" could not be started: ${result.shortMessage}`,
    );
  }
  return {
    exitCode: result.exitCode ?? 1,
    messages,
    diagnostics: messages.filter((m) => m.type === "diagnostic" && m.diagnostic).map((m) => m.diagnostic!),
    stderrTail,
    signal: result.signal,
  };
}
