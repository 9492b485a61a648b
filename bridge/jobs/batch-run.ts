// Runs one or more resource operations in ONE workspace: one `plan` and one `apply` for all of them (one `apply`
// alone when all are plain creates), with each resource's planned changes, progress, errors and resulting state
// kept apart. A single operation is a batch of one; the provider host batches concurrent operations of one
// provider configuration, because each engine command costs far more than the provider calls it makes.
//
// Every job's resource is r<i> in the workspace. A job that destroys leaves its resource out of the configuration
// while its state stays in, so the plan deletes it: creates, updates and destroys mix in one plan.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeCliConfig } from "../../opentofu/engine/cli-config.js";
import { formatDiagnostic } from "../engine/diagnostics.js";
import type { Diagnostic, UiMessage } from "../../opentofu/engine/json-ui.js";
import { progressLine } from "../engine/progress.js";
import type { ProviderRef } from "../../opentofu/provider/provider-address.js";
import {
  engineEnvironment,
  runEngine,
  showPlan,
  type EngineDeadline,
  type EngineOutcome,
} from "../../opentofu/engine/run-engine.js";
import { locatedJson, type JsonPath } from "../workspace/located-json.js";
import { mainTfJson, resourceAddress, resourceName, type WorkspaceResource } from "../workspace/main-tf.js";
import { readStateFile, writeStateFile, type ResourceState } from "../workspace/tfstate.js";
import { withWorkspaceDir } from "../workspace/workspace-dir.js";
import type { Attachment } from "./attachment.js";

export type JobAction = "apply" | "destroy" | "read";

export interface BatchJob {
  /** The wire type, for progress lines. */
  label: string;
  resource: WorkspaceResource;
  prior?: ResourceState;
  action: JobAction;
  /** The import ID is a guess (retrying a create that failed without state): if it finds nothing, create. */
  importIsGuess?: boolean;
  /** The operation's deadline: engine commands still running then are interrupted (a batch keeps the earliest). */
  deadline?: EngineDeadline & { /** For the error: how the user sets it. */ setting: string };
}

export type JobOutcome =
  | {
      kind: "done";
      /** The resulting state (the prior one when nothing changed; undefined once destroyed). */
      state: ResourceState | undefined;
      /** What the plan did to this resource, e.g. ["replace"]; empty for no change. */
      actions: string[];
    }
  | {
      kind: "failed";
      stage: "plan" | "apply";
      /** The engine's diagnostics for this resource, formatted (not redacted). */
      details: string;
      /** Planning lost its provider process: nothing was applied and the job can simply run again. */
      providerLost: boolean;
      /** After a failed apply: whatever state the engine recorded for this resource. */
      state: ResourceState | undefined;
      /** Nobody can tell what the apply did (the provider host running it went away). */
      unknown?: true;
    };

export interface BatchContext {
  engine: string;
  provider: ProviderRef;
  providerConfig: Record<string, unknown>;
  pluginDir?: string;
  baseEnv: NodeJS.ProcessEnv;
  attach: (workspace: string, env: Record<string, string | undefined>) => Promise<Attachment>;
  /** A progress line of one job (raw engine wording: the caller redacts). */
  progress: (job: number, line: string) => void;
  /** Stop before applying (e.g. the bridge was interrupted after planning). */
  mayApply?: () => boolean;
  /** Aborted when every job of the batch was interrupted: the engine gets its one SIGINT, none further starts. */
  signal?: AbortSignal;
  /** The engine's -parallelism for plan and apply (its default: 10). */
  parallelism?: number;
  /** Awaited just before the engine command that can change something starts, with each live job's planned
   * actions (["create"] for plain creates, planned and applied by one command): operation records note it, so
   * that a retry after a crash knows whether re-running is safe (recovery/record-recovery.ts). */
  beforeApply?: (actions: Map<number, string[]>) => Promise<void>;
}

const COMMON = ["-input=false", "-lock=false", "-json"];
/** Which engine command a UI message comes from: a plan, the apply of a saved plan, or an apply that plans. */
type Phase = "plan" | "apply" | "plan+apply";
const NO_SUCH_OBJECT = /non-existent remote object/i;
/** The address an import diagnostic names in its detail: terraform 1.11 sets no `address` on import errors. */
const IMPORT_TARGET = /import(?:ing)? an existing object to "([^"]+)"/;
const PROVIDER_LOST =
  /Plugin did not respond|Reattachment process not found|connection is shut down|code = Unavailable|failed to instantiate provider|error while dialing/i;
/** How often a plan is repeated without the jobs whose configuration it rejected. */
const MAX_REPLANS = 3;

export class ApplyWithheldError extends Error {}

export async function runBatch(context: BatchContext, jobs: BatchJob[]): Promise<JobOutcome[]> {
  return withWorkspaceDir(async (workspace) => {
    const cliConfig = await writeCliConfig(workspace, { pluginDir: context.pluginDir });
    const env = engineEnvironment(context.baseEnv, { TF_CLI_CONFIG_FILE: cliConfig });
    const batch = new Batch(context, jobs, workspace);
    await batch.writeFiles();
    const attachment = await context.attach(workspace, env);
    try {
      return await batch.run({ ...env, ...attachment.engineEnv });
    } finally {
      await attachment.release();
    }
  });
}

/** The value at a plan path (attribute names and indexes) inside a plan's before/after value. */
function valueAt(value: unknown, path: (string | number)[]): unknown {
  let at = value;
  for (const step of path)
    at = at !== null && typeof at === "object" ? (at as Record<string | number, unknown>)[step] : undefined;
  return at;
}

class Batch {
  private readonly outcomes: (JobOutcome | undefined)[];
  /** Jobs still taking part (a job whose configuration the plan rejects is dropped and the plan repeated). */
  private readonly live: Set<number>;
  private readonly byAddress = new Map<string, number>();
  private pathAtLine: JsonPath[] = [];
  private readonly deadline: BatchJob["deadline"];
  /** Set once an engine command ran into the deadline: nothing further is started. */
  private timedOut: EngineOutcome["timedOut"];

  constructor(
    private readonly context: BatchContext,
    private readonly jobs: BatchJob[],
    private readonly workspace: string,
  ) {
    this.outcomes = jobs.map(() => undefined);
    this.live = new Set(jobs.map((_, i) => i));
    jobs.forEach((job, i) => this.byAddress.set(resourceAddress(job.resource, resourceName(i)), i));
    this.deadline = jobs.map((job) => job.deadline).reduce((a, b) => (!a || (b && b.at < a.at) ? b : a), undefined);
  }

  async writeFiles(): Promise<void> {
    const live = [...this.live];
    const configured = live
      .filter((i) => this.jobs[i]!.action !== "destroy")
      .map((i) => ({ name: resourceName(i), resource: this.jobs[i]!.resource }));
    const config = locatedJson(mainTfJson(this.context.provider, this.context.providerConfig, configured));
    await writeFile(join(this.workspace, "main.tf.json"), config.text, { mode: 0o600 });
    this.pathAtLine = config.pathAtLine;
    const priors = live.flatMap((i) => {
      const prior = this.jobs[i]!.prior;
      return prior ? [{ name: resourceName(i), state: prior }] : [];
    });
    await writeStateFile(this.workspace, priors);
  }

  async run(env: Record<string, string | undefined>): Promise<JobOutcome[]> {
    const parallelism = this.context.parallelism ? [`-parallelism=${this.context.parallelism}`] : [];
    const engine = async (args: string[], phase: Phase) => {
      const outcome = await runEngine(
        {
          engine: this.context.engine,
          args: [args[0]!, ...parallelism, ...args.slice(1)],
          cwd: this.workspace,
          env,
          deadline: this.deadline,
          signal: this.context.signal,
        },
        (m) => this.route(m, phase),
      );
      this.timedOut ??= outcome.timedOut;
      return outcome;
    };

    if (this.jobs.every((job) => job.action === "read")) {
      // Data sources only: reading changes nothing, and an apply is what records what was read.
      const outcome = await engine(["apply", "-auto-approve", ...COMMON], "apply");
      if (outcome.exitCode !== 0) this.failAll("plan", outcome);
      return this.finish(["read"]);
    }

    if (this.jobs.every((job) => job.action === "apply" && !job.prior && job.resource.importId === undefined)) {
      // Plain creates: their plan can only add, so there is nothing to check between plan and apply, and one
      // `apply -auto-approve` does both in one engine command instead of two.
      this.withholdIfInterrupted("before planning");
      await this.context.beforeApply?.(new Map([...this.live].map((i) => [i, ["create"]])));
      const direct = await engine(["apply", "-auto-approve", ...COMMON], "plan+apply");
      if (direct.exitCode === 0 || direct.messages.some((m) => m.type === "apply_start"))
        return this.applied(direct, this.plannedActions(direct));
      if (this.timedOut) {
        this.failAll("plan", direct);
        return this.finish([]);
      }
      // Nothing was applied: interrupted while planning, or planning failed. Then the two-step path finds the jobs
      // to drop and plans the rest again.
      this.withholdIfInterrupted("while planning");
    }

    const planCommand = ["plan", ...COMMON, "-detailed-exitcode", "-out=tfplan"];
    let plan = await engine(planCommand, "plan");
    for (let replans = 0; replans < MAX_REPLANS && !this.timedOut; replans++) {
      if (plan.exitCode === 1) {
        if (!(await this.dropRejected(plan))) break;
      } else if (plan.exitCode !== 2 || !(await this.refuseDestructiveImports(plan, env))) {
        break;
      }
      if (this.live.size === 0) return this.finish([]);
      await this.writeFiles();
      plan = await engine(planCommand, "plan");
    }
    if (plan.exitCode !== 0 && plan.exitCode !== 2) {
      this.failAll("plan", plan);
      return this.finish([]);
    }
    if (this.timedOut) {
      this.failAll("plan", plan);
      return this.finish([]);
    }
    const actions = this.plannedActions(plan);
    if (plan.exitCode === 2 && [...this.live].some((i) => this.destroysImport(i, actions))) {
      // The replans ran out with an import still to be destroyed: nothing is applied.
      for (const i of this.live) {
        this.outcomes[i] = {
          kind: "failed",
          stage: "plan",
          details: "Error: an import would destroy the imported object; nothing was applied",
          providerLost: false,
          state: undefined,
        };
      }
      this.live.clear();
      return this.finish([]);
    }
    if (plan.exitCode === 0 && plan.messages.some((m) => m.type === "resource_drift")) {
      // Nothing to change, but the refresh found the object changed outside this state (e.g. by an operation whose
      // answer was lost): applying the empty plan writes the refreshed state, so the answer matches the cloud.
      this.withholdIfInterrupted("after planning");
      await this.context.beforeApply?.(actions);
      return this.applied(await engine(["apply", ...COMMON, "tfplan"], "apply"), actions);
    }
    if (plan.exitCode === 0) {
      // Nothing to change: priors stand (a destroyed object was already gone).
      for (const i of this.live) {
        const job = this.jobs[i]!;
        this.outcomes[i] = { kind: "done", state: job.action === "destroy" ? undefined : job.prior, actions: [] };
      }
      return this.finish([]);
    }
    this.withholdIfInterrupted("after planning");
    await this.context.beforeApply?.(actions);
    return this.applied(await engine(["apply", ...COMMON, "tfplan"], "apply"), actions);
  }

  /** True if the plan would destroy (or replace) the object job i imports: an import adopts, it never destroys. */
  private destroysImport(i: number, actions: Map<number, string[]>): boolean {
    const job = this.jobs[i]!;
    if (job.action === "destroy" || job.resource.importId === undefined) return false;
    return (actions.get(i) ?? []).some((action) => action === "replace" || action === "delete");
  }

  /** Jobs whose imported object the plan would destroy or replace fail, naming the arguments that force it
   * (from the saved plan); true if any did, so that the others are planned again without them. */
  private async refuseDestructiveImports(
    plan: EngineOutcome,
    env: Record<string, string | undefined>,
  ): Promise<boolean> {
    const actions = this.plannedActions(plan);
    const refused = [...this.live].filter((i) => this.destroysImport(i, actions));
    if (refused.length === 0) return false;
    const saved = await showPlan({ engine: this.context.engine, cwd: this.workspace, env }, "tfplan");
    for (const i of refused) {
      const job = this.jobs[i]!;
      const address = resourceAddress(job.resource, resourceName(i));
      const change = saved.resource_changes?.find((c) => c.address === address)?.change;
      const paths = (change?.replace_paths ?? []).map((path) => {
        const name = path
          .map((step) => (typeof step === "number" ? `[${step}]` : step))
          .join(".")
          .replace(/\.\[/g, "[");
        const value = (side: "before" | "after") =>
          valueAt(change?.[`${side}_sensitive`], path) === true
            ? "(sensitive)"
            : (JSON.stringify(valueAt(change?.[side], path)) ?? "null");
        return `\`${name}\` (existing ${value("before")}, inputs ${value("after")})`;
      });
      const differing =
        paths.length > 0
          ? `differs in ${paths.join(", ")}, which ${paths.length === 1 ? "forces" : "force"} a replacement`
          : "differs from the inputs in a way that forces a replacement";
      const why = job.importIsGuess
        ? `the object found by the import ID "${job.resource.importId}" (guessed, to find what an earlier failed create may have made)`
        : `the object imported by import.id "${job.resource.importId}"`;
      const fix = job.importIsGuess
        ? "It is left alone. If it is not this resource's, forget the earlier attempt (nixops4-opentofu pending forget ID, see pending list) and create again; if it is, change the inputs to match it."
        : "It is left alone: change the inputs to match the existing object (or drop import.id to create a new one).";
      this.outcomes[i] = {
        kind: "failed",
        stage: "plan",
        details: `Error: refusing to import: ${why} ${differing}; applying would destroy the imported object. Nothing was changed. ${fix}`,
        providerLost: false,
        state: undefined,
      };
      this.live.delete(i);
    }
    return true;
  }

  /** Stops before an engine command that may change something once the bridge is interrupted. */
  private withholdIfInterrupted(when: string): void {
    if (this.context.signal?.aborted || (this.context.mayApply && !this.context.mayApply()))
      throw new ApplyWithheldError(`not applying: interrupted ${when}`);
  }

  /** Each live job's outcome after an apply: its own errors, else done, with the state the engine recorded. */
  private async applied(apply: EngineOutcome, actions: Map<number, string[]>): Promise<JobOutcome[]> {
    const failed = this.diagnosticsByJob(apply.diagnostics);
    for (const i of this.live) {
      const job = this.jobs[i]!;
      const state = await readStateFile(
        this.workspace,
        { ...job.resource, name: resourceName(i) },
        this.context.provider,
      );
      const own = failed.get(i);
      if (own || (apply.exitCode !== 0 && failed.size === 0)) {
        this.outcomes[i] = {
          kind: "failed",
          stage: "apply",
          details: this.describe(own ?? [], apply),
          providerLost: false,
          state,
        };
      } else {
        this.outcomes[i] = { kind: "done", state, actions: actions.get(i) ?? [] };
      }
    }
    return this.finish([]);
  }

  /** Progress lines go to the job whose resource they name; an apply repeats the plan's lines, shown once. */
  private route(message: UiMessage, phase: Phase): void {
    if (phase === "apply" && message.type === "planned_change") return;
    if (phase === "apply" && message.type === "change_summary" && message.changes?.operation !== "apply") return;
    const addr = message.hook?.resource?.addr ?? message.change?.resource.addr ?? message.diagnostic?.address;
    const targets =
      addr !== undefined
        ? [this.byAddress.get(addr)].filter((i): i is number => i !== undefined)
        : this.unaddressedTargets();
    for (const i of targets) {
      const line = progressLine(message, this.jobs[i]!.label);
      if (line) this.context.progress(i, line);
    }
  }

  private unaddressedTargets(): number[] {
    // Summaries name no resource; for a batch of one they still belong to its job.
    return this.jobs.length === 1 ? [0] : [];
  }

  private plannedActions(plan: EngineOutcome): Map<number, string[]> {
    const actions = new Map<number, string[]>();
    for (const message of plan.messages) {
      if (message.type !== "planned_change" || !message.change) continue;
      const i = this.byAddress.get(message.change.resource.addr);
      if (i !== undefined) actions.set(i, [...(actions.get(i) ?? []), message.change.action]);
    }
    return actions;
  }

  /** The job a diagnostic is about: by the address it names (in its `address`, or in the detail of an import
   * error), else by the line of main.tf.json it points at, else the only job there is. */
  private jobOf(diagnostic: Diagnostic): number | undefined {
    const named = diagnostic.address ?? IMPORT_TARGET.exec(diagnostic.detail ?? "")?.[1];
    if (named) {
      const direct = this.byAddress.get(named.replace(/\[.*\]$/, ""));
      if (direct !== undefined) return direct;
    }
    const found = this.jobByLine(diagnostic);
    if (found !== undefined) return found;
    // A diagnostic that names nothing (an import ID the provider cannot parse, say) in a batch of one is its job's.
    return this.live.size === 1 && this.jobs.length === 1 ? 0 : undefined;
  }

  private jobByLine(diagnostic: Diagnostic): number | undefined {
    const line = diagnostic.range?.filename === "main.tf.json" ? diagnostic.range.start.line : undefined;
    const path = line !== undefined ? this.pathAtLine[line] : undefined;
    if (!path) return undefined;
    if (path[0] === "resource" || path[0] === "data") {
      const name = path[2];
      return typeof name === "string" && /^r\d+$/.test(name) ? Number(name.slice(1)) : undefined;
    }
    if (path[0] === "import" && typeof path[1] === "number") {
      // import blocks are listed in job order among the jobs that import
      const importing = [...this.live].filter(
        (i) => this.jobs[i]!.action !== "destroy" && this.jobs[i]!.resource.importId !== undefined,
      );
      return importing[path[1]];
    }
    return undefined;
  }

  private diagnosticsByJob(diagnostics: Diagnostic[]): Map<number, Diagnostic[]> {
    const byJob = new Map<number, Diagnostic[]>();
    for (const diagnostic of diagnostics) {
      if (diagnostic.severity !== "error") continue;
      const i = this.jobOf(diagnostic);
      if (i !== undefined) byJob.set(i, [...(byJob.get(i) ?? []), diagnostic]);
    }
    return byJob;
  }

  /** After a rejected plan: guessed imports that found nothing become creates, jobs whose configuration was
   * rejected fail; true if the plan is worth repeating. Errors that name no job fail the whole batch. */
  private async dropRejected(plan: EngineOutcome): Promise<boolean> {
    const errors = plan.diagnostics.filter((d) => d.severity === "error");
    const byJob = this.diagnosticsByJob(errors);
    const unattributed = errors.filter((d) => this.jobOf(d) === undefined);
    if (unattributed.length > 0 || byJob.size === 0) return false;
    // Planning again will not bring a lost provider back: failAll says so, and the caller retries on a fresh one.
    if (errors.some((d) => PROVIDER_LOST.test(`${d.summary} ${d.detail ?? ""}`))) return false;
    for (const [i, diagnostics] of byJob) {
      const job = this.jobs[i]!;
      if (job.importIsGuess && job.resource.importId !== undefined) {
        const missing = diagnostics.some((d) => NO_SUCH_OBJECT.test(`${d.summary} ${d.detail ?? ""}`));
        this.context.progress(
          i,
          `${job.label}: ${missing ? "no object from the earlier failed attempt exists" : "the earlier attempt's object cannot be imported by that ID"}; creating it`,
        );
        job.resource = { ...job.resource, importId: undefined };
        continue;
      }
      this.outcomes[i] = {
        kind: "failed",
        stage: "plan",
        details: this.describe(diagnostics, plan),
        providerLost: false,
        state: undefined,
      };
      this.live.delete(i);
    }
    return true;
  }

  private failAll(stage: "plan" | "apply", outcome: EngineOutcome): void {
    const lost = outcome.diagnostics.some((d) => PROVIDER_LOST.test(`${d.summary} ${d.detail ?? ""}`));
    const byJob = this.diagnosticsByJob(outcome.diagnostics);
    const shared = outcome.diagnostics.filter((d) => d.severity === "error" && this.jobOf(d) === undefined);
    for (const i of this.live) {
      const own = byJob.get(i);
      this.outcomes[i] = {
        kind: "failed",
        stage,
        details: this.describe([...(own ?? []), ...shared], outcome),
        providerLost: lost,
        state: undefined,
      };
    }
    this.live.clear();
  }

  private describe(diagnostics: Diagnostic[], outcome: EngineOutcome): string {
    // An engine killed by a signal is always said so: the caller then knows the outcome is unknown.
    const killed = outcome.signal ? `the engine exited with code ${outcome.exitCode} (${outcome.signal})` : "";
    const text =
      diagnostics.length > 0
        ? [...diagnostics.map((d) => formatDiagnostic(d, this.pathAtLine)), killed].filter(Boolean).join("\n")
        : [outcome.stderrTail.trim(), killed].filter(Boolean).join("\n") ||
          `the engine exited with code ${outcome.exitCode}`;
    return this.timedOut ? `${this.deadlineMessage()}\n${text}` : text;
  }

  private deadlineMessage(): string {
    const { setting = "the operation deadline" } = this.deadline ?? {};
    const how =
      this.timedOut === "killed"
        ? "the engine was interrupted and, still waiting on the API after the grace period, stopped"
        : "the engine was interrupted";
    return (
      `Error: the operation ran into its deadline (${setting}): ${how}. An API that accepted a request and never ` +
      "answered usually is why. Retry once the API answers again: what this attempt may have made is remembered " +
      "(nixops4-opentofu pending list) and looked for first; if the API is only slow, raise the deadline."
    );
  }

  private async finish(readActions: string[]): Promise<JobOutcome[]> {
    for (let i = 0; i < this.jobs.length; i++) {
      if (this.outcomes[i]) continue;
      const job = this.jobs[i]!;
      const state = await readStateFile(
        this.workspace,
        { ...job.resource, name: resourceName(i) },
        this.context.provider,
      );
      this.outcomes[i] = { kind: "done", state, actions: readActions };
    }
    return this.outcomes as JobOutcome[];
  }
}
