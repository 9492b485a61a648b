// Recorded engine transcripts (fixtures/engine-transcripts, written by record-engine-transcripts.ts) and how to
// replay one: per engine command, its UI messages and the batch's layout (live jobs, main.tf.json's line map) as
// the engine saw it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BatchJob, JobOutcome } from "../bridge/jobs/batch-run.js";
import type { Layout, Phase } from "../bridge/jobs/attribution.js";
import { locatedJson } from "../bridge/workspace/located-json.js";
import { parseUiLine, type UiMessage } from "../opentofu/engine/json-ui.js";
import { repoRoot } from "./repo-root.js";

export const TRANSCRIPTS_DIR = "fixtures/engine-transcripts";

/** One engine command of a batch, as the engine saw and answered it. */
export interface RecordedCommand {
  args: string[];
  exitCode: number;
  /** main.tf.json when the command ran: its line map is how diagnostics without an address are attributed. */
  mainTf: string;
  stdout: string[];
}

export interface Transcript {
  about: string;
  engine: string;
  provider: string;
  jobs: Pick<BatchJob, "label" | "resource" | "action">[];
  commands: RecordedCommand[];
  /** What runBatch answered, per job, when this was recorded. */
  outcomes: { kind: JobOutcome["kind"]; stage?: "plan" | "apply" }[];
}

export interface ReplayedCommand {
  args: string[];
  exitCode: number;
  phase: Phase;
  layout: Layout;
  messages: UiMessage[];
}

export function loadTranscript(name: string): Transcript {
  return JSON.parse(readFileSync(join(repoRoot, TRANSCRIPTS_DIR, `${name}.json`), "utf8")) as Transcript;
}

/** The phase batch-run gives a command: `apply -auto-approve` plans and applies, `apply tfplan` applies. */
function phaseOf(args: string[]): Phase {
  if (args[0] === "plan") return "plan";
  return args.includes("-auto-approve") ? "plan+apply" : "apply";
}

export function replay(transcript: Transcript): ReplayedCommand[] {
  return transcript.commands.map((command) => {
    const config = JSON.parse(command.mainTf) as Partial<Record<"resource" | "data", Record<string, object>>>;
    const { text, pathAtLine } = locatedJson(config);
    // The line map is only right for the bytes the engine read.
    if (text !== command.mainTf)
      throw new Error(`main.tf.json of "${command.args.join(" ")}" is not as locatedJson writes it`);
    const configured = [config.resource, config.data].flatMap((blocks) =>
      Object.values(blocks ?? {}).flatMap((byName) => Object.keys(byName)),
    );
    return {
      args: command.args,
      exitCode: command.exitCode,
      phase: phaseOf(command.args),
      layout: { live: new Set(configured.map((name) => Number(name.slice(1))).sort((a, b) => a - b)), pathAtLine },
      messages: command.stdout.map(parseUiLine).filter((m): m is UiMessage => m !== undefined),
    };
  });
}
