// Runs engine commands: with the machine-readable UI (`-json` lines, collected as they come), or for the one
// document a command prints (`providers schema -json`). Both the bridge and the codegen run the engine only here.
import { execa, type Result } from "execa";
import { createInterface } from "node:readline";
import { trackEngine } from "./interrupts.js";
import { parseUiLine, type Diagnostic, type UiMessage } from "./json-ui.js";

export interface EngineCommand {
  engine: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** When the engine gets its interrupt (one SIGINT, its graceful stop), then after `graceMs` a SIGKILL. */
  deadline?: EngineDeadline;
  /** Aborting it gives the engine its one SIGINT (its graceful stop: in-flight calls finish, state is written). */
  signal?: AbortSignal;
}

export interface EngineDeadline {
  /** Epoch milliseconds. */
  at: number;
  graceMs: number;
}

export interface EngineOutcome {
  exitCode: number;
  messages: UiMessage[];
  diagnostics: Diagnostic[];
  /** The end of the engine's stderr and of its non-JSON stdout, for crash reports and commands without a JSON UI
   * (may hold provider panics: redact before showing). */
  stderrTail: string;
  signal?: string;
  /** The deadline passed while the engine ran: it was interrupted ("interrupted") or, still running after the
   * grace period, killed ("killed"). */
  timedOut?: "interrupted" | "killed";
}

const STDERR_TAIL = 16 * 1024;

// Variables that would let the user's shell settings redirect or alter what the workspace runs. The workspace's
// input variables are the bridge's own (provider credentials), set only through `extra`.
const DROPPED_ENV =
  /^(TF_CLI_ARGS(_.*)?|TF_DATA_DIR|TF_WORKSPACE|TF_PLUGIN_CACHE_DIR|TF_REATTACH_PROVIDERS|TF_CLI_CONFIG_FILE|TF_VAR_.*)$/;

export function engineEnvironment(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(base)) if (!DROPPED_ENV.test(key)) env[key] = value;
  return { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1", ...extra };
}

export class EngineStartError extends Error {}

// Every engine run starts here: in its own process group (Ctrl-C reaches it only through the interrupt
// forwarder), with exactly the environment given, killed if the bridge exits.
function startEngine(command: EngineCommand, buffer: boolean) {
  const child = execa(command.engine, command.args, {
    cwd: command.cwd,
    env: command.env,
    extendEnv: false,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    reject: false,
    buffer,
    maxBuffer: 1024 * 1024 * 1024,
    detached: true,
    cleanup: true,
  });
  // An engine with a signal of its own is interrupted through it alone: a second SIGINT would make it abandon its
  // state.
  if (!command.signal) trackEngine(child);
  return child;
}

function checkStarted(command: EngineCommand, result: Result): void {
  if (result.failed && result.exitCode === undefined && !result.signal) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    throw new EngineStartError(
      code === "ENOENT"
        ? `engine "${command.engine}" was not found; pass --engine /path/to/tofu (or NIXOPS4_OPENTOFU_ENGINE)`
        : `engine "${command.engine}" could not be started: ${result.shortMessage}`,
    );
  }
}

export async function runEngine(
  command: EngineCommand,
  onMessage: (message: UiMessage) => void,
): Promise<EngineOutcome> {
  const child = startEngine(command, false);
  const interrupt = () => child.kill("SIGINT");
  if (command.signal?.aborted) interrupt();
  else command.signal?.addEventListener("abort", interrupt, { once: true });
  let timedOut: EngineOutcome["timedOut"];
  const timers: NodeJS.Timeout[] = [];
  if (command.deadline) {
    const { at, graceMs } = command.deadline;
    timers.push(
      setTimeout(
        () => {
          // SIGINT first: the engine asks the provider to stop, ends its in-flight calls and writes its state.
          timedOut = "interrupted";
          child.kill("SIGINT");
          timers.push(
            setTimeout(() => {
              // A call that never returns (an API that accepted the request and never answers) keeps it waiting for
              // good; the whole process group goes, so that no provider process the engine started is left behind.
              timedOut = "killed";
              killGroup(child.pid);
            }, graceMs),
          );
        },
        Math.max(0, at - Date.now()),
      ),
    );
  }
  const messages: UiMessage[] = [];
  let stderrTail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
  });
  const lines = createInterface({ input: child.stdout });
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
  const result = await child.finally(() => {
    timers.forEach(clearTimeout);
    command.signal?.removeEventListener("abort", interrupt);
  });
  await linesDone;
  checkStarted(command, result);
  return {
    exitCode: result.exitCode ?? 1,
    messages,
    diagnostics: messages.filter((m) => m.type === "diagnostic" && m.diagnostic).map((m) => m.diagnostic!),
    stderrTail,
    signal: result.signal,
    ...(timedOut ? { timedOut } : {}),
  };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The parts of `show -json PLANFILE` the bridge reads. */
export interface SavedPlan {
  resource_changes?: {
    address: string;
    change: {
      actions: string[];
      replace_paths?: (string | number)[][];
      before?: unknown;
      after?: unknown;
      /** Mirrors of before/after with `true` where a value is sensitive. */
      before_sensitive?: unknown;
      after_sensitive?: unknown;
    };
  }[];
}

/** Reads a saved plan as JSON (it may hold sensitive values: kept in memory, never shown as it is). */
export async function showPlan(
  command: Omit<EngineCommand, "deadline" | "args">,
  planFile: string,
): Promise<SavedPlan> {
  const result = await runEngineForDocument({ ...command, args: ["show", "-json", "-no-color", planFile] });
  if (result.exitCode !== 0) throw new Error(`could not read the saved plan (engine exited with ${result.exitCode})`);
  return JSON.parse(result.stdout) as SavedPlan;
}

export interface EngineDocumentOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  signal?: string;
}

/** Runs a command whose stdout is one document rather than UI lines; the whole of it is kept. */
export async function runEngineForDocument(command: EngineCommand): Promise<EngineDocumentOutcome> {
  const child = startEngine(command, true);
  const interrupt = () => child.kill("SIGINT");
  if (command.signal?.aborted) interrupt();
  else command.signal?.addEventListener("abort", interrupt, { once: true });
  const result = await child.finally(() => command.signal?.removeEventListener("abort", interrupt));
  checkStarted(command, result);
  return {
    exitCode: result.exitCode ?? 1,
    stdout: result.stdout,
    stderr: result.stderr,
    signal: result.signal,
  };
}
