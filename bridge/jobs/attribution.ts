// Which of a batch's operations a line of the engine's `-json` output is about: its progress lines, its planned
// changes and its diagnostics. The engine runs all of a batch's resources (r0, r1, …) in one workspace and says
// which one a message is about in several ways, or not at all; this is the one place that reads them. Pure: the
// recorded engine transcripts under fixtures/engine-transcripts drive its test.
import type { Diagnostic, UiMessage } from "../../opentofu/engine/json-ui.js";
import { progressLine } from "../engine/progress.js";
import type { JsonPath } from "../workspace/located-json.js";
import { resourceAddress, resourceName, type WorkspaceResource } from "../workspace/main-tf.js";

/** Which engine command a UI message comes from: a plan, the apply of a saved plan, or an apply that plans. */
export type Phase = "plan" | "apply" | "plan+apply";

/** What attribution reads of a job: resource r<i> of the workspace is job i. */
export interface AttributedJob {
  label: string;
  resource: WorkspaceResource;
  action: "apply" | "destroy" | "read";
}

/** The batch as the engine saw it in one command: the jobs still taking part and main.tf.json's line map. */
export interface Layout {
  live: ReadonlySet<number>;
  pathAtLine: readonly JsonPath[];
}

/** The address an import diagnostic names in its detail: terraform 1.11 sets no `address` on import errors. */
const IMPORT_TARGET = /import(?:ing)? an existing object to "([^"]+)"/;

export class Attribution {
  private readonly byAddress = new Map<string, number>();

  /** `jobs` is read when asked, not copied: a job whose import is dropped is attributed as it now is. */
  constructor(private readonly jobs: readonly AttributedJob[]) {
    jobs.forEach((job, i) => this.byAddress.set(resourceAddress(job.resource, resourceName(i)), i));
  }

  /** The progress lines a message gives, per job. An apply repeats the plan's lines, shown once; summaries name
   * no resource and belong to a batch of one only. */
  progress(message: UiMessage, phase: Phase): [job: number, line: string][] {
    if (phase === "apply" && message.type === "planned_change") return [];
    if (phase === "apply" && message.type === "change_summary" && message.changes?.operation !== "apply") return [];
    const addr = message.hook?.resource?.addr ?? message.change?.resource.addr ?? message.diagnostic?.address;
    const targets =
      addr !== undefined
        ? [this.byAddress.get(addr)].filter((i): i is number => i !== undefined)
        : this.jobs.length === 1
          ? [0]
          : [];
    return targets.flatMap((i) => {
      const line = progressLine(message, this.jobs[i]!.label);
      return line ? [[i, line] as [number, string]] : [];
    });
  }

  /** What the plan does to each job's resource, e.g. ["create"] or ["replace"]. */
  plannedActions(messages: readonly UiMessage[]): Map<number, string[]> {
    const actions = new Map<number, string[]>();
    for (const message of messages) {
      if (message.type !== "planned_change" || !message.change) continue;
      const i = this.byAddress.get(message.change.resource.addr);
      if (i !== undefined) actions.set(i, [...(actions.get(i) ?? []), message.change.action]);
    }
    return actions;
  }

  /** The job a diagnostic is about: by the address it names (in its `address`, or in the detail of an import
   * error), else by the line of main.tf.json it points at, else the only job there is. */
  jobOf(diagnostic: Diagnostic, layout: Layout): number | undefined {
    const named = diagnostic.address ?? IMPORT_TARGET.exec(diagnostic.detail ?? "")?.[1];
    if (named) {
      const direct = this.byAddress.get(named.replace(/\[.*\]$/, ""));
      if (direct !== undefined) return direct;
    }
    const found = this.jobByLine(diagnostic, layout);
    if (found !== undefined) return found;
    // A diagnostic that names nothing (an import ID the provider cannot parse, say) in a batch of one is its job's.
    return layout.live.size === 1 && this.jobs.length === 1 ? 0 : undefined;
  }

  /** The error diagnostics of each job that has any; errors that name no job are left out. */
  errorsByJob(diagnostics: readonly Diagnostic[], layout: Layout): Map<number, Diagnostic[]> {
    const byJob = new Map<number, Diagnostic[]>();
    for (const diagnostic of diagnostics) {
      if (diagnostic.severity !== "error") continue;
      const i = this.jobOf(diagnostic, layout);
      if (i !== undefined) byJob.set(i, [...(byJob.get(i) ?? []), diagnostic]);
    }
    return byJob;
  }

  private jobByLine(diagnostic: Diagnostic, layout: Layout): number | undefined {
    const line = diagnostic.range?.filename === "main.tf.json" ? diagnostic.range.start.line : undefined;
    const path = line !== undefined ? layout.pathAtLine[line] : undefined;
    if (!path) return undefined;
    if (path[0] === "resource" || path[0] === "data") {
      const name = path[2];
      return typeof name === "string" && /^r\d+$/.test(name) ? Number(name.slice(1)) : undefined;
    }
    if (path[0] === "import" && typeof path[1] === "number") {
      // import blocks are listed in job order among the jobs that import
      const importing = [...layout.live].filter(
        (i) => this.jobs[i]!.action !== "destroy" && this.jobs[i]!.resource.importId !== undefined,
      );
      return importing[path[1]];
    }
    return undefined;
  }
}
