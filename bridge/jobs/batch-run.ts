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
import { readEngineVersion, supportsEphemeralVariables } from "../../opentofu/engine/engine-version.js";
import { formatDiagnostic } from "../engine/diagnostics.js";
import type { Diagnostic } from "../../opentofu/engine/json-ui.js";
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
import {
  credentialVariableBlocks,
  credentialVariableEnv,
  splitProviderConfig,
  type ConfigPath,
  type SplitProviderConfig,
} from "../workspace/provider-credentials.js";
import { readStateFile, writeStateFile, type ResourceState } from "../workspace/tfstate.js";
import { withWorkspaceDir } from "../workspace/workspace-dir.js";
import type { Attachment } from "./attachment.js";
import { Attribution, type Layout, type Phase } from "./attribution.js";

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
  /** Where providerConfig holds credentials (secrets/sensitive-values.ts): given to the engine through ephemeral
   * variables in its environment, never written into the workspace, where the engine can do that. */
  providerCredentials?: ConfigPath[];
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
const NO_SUCH_OBJECT = /non-existent remote object/i;
const PROVIDER_LOST =
  /Plugin did not respond|Reattachment process not found|connection is shut down|code = Unavailable|failed to instantiate provider|error while dialing/i;
/** How often a plan is repeated without the jobs whose configuration it rejected. */
const MAX_REPLANS = 3;

export class ApplyWithheldError extends Error {}

export async function runBatch(context: BatchContext, jobs: BatchJob[]): Promise<JobOutcome[]> {
  return withWorkspaceDir(async (workspace) => {
    const cliConfig = await writeCliConfig(workspace, { pluginDir: context.pluginDir });
    const env = engineEnvironment(context.baseEnv, { TF_CLI_CONFIG_FILE: cliConfig });
    const provider = await providerBlock(context, jobs.length);
    const batch = new Batch(context, jobs, workspace, provider);
    await batch.writeFiles();
    // The credentials go to the commands that configure the provider, not to `init`, which never does.
    const attachment = await context.attach(workspace, env);
    try {
      return await batch.run({ ...env, ...attachment.engineEnv, ...credentialVariableEnv(provider.variables) });
    } finally {
      await attachment.release();
    }
  });
}

/** The provider block of the workspace: its credentials as ephemeral variables when the engine has them, else
 * inline (said on every job's progress, without the values). */
async function providerBlock(context: BatchContext, jobs: number): Promise<SplitProviderConfig> {
  const split = splitProviderConfig(context.providerConfig, context.providerCredentials ?? []);
  if (split.variables.length === 0) return split;
  const version = await readEngineVersion(context.engine, context.baseEnv);
  if (supportsEphemeralVariables(version)) return split;
  const line =
    `the provider's credentials are written into this run's workspace (main.tf.json, 0600, removed after the run): ` +
    `${version?.text ?? `engine ${context.engine}`} has no ephemeral input variables to pass them in its ` +
    "environment instead (Terraform 1.10 and OpenTofu 1.11 have them)";
  for (let i = 0; i < jobs; i++) context.progress(i, line);
  return { config: context.providerConfig, variables: [] };
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
  private readonly attribution: Attribution;
  private pathAtLine: JsonPath[] = [];
  private readonly deadline: BatchJob["deadline"];
  /** Set once an engine command ran into the deadline: nothing further is started. */
  private timedOut: EngineOutcome["timedOut"];

  constructor(
    private readonly context: BatchContext,
    private readonly jobs: BatchJob[],
    private readonly workspace: string,
    private readonly provider: SplitProviderConfig,
  ) {
    this.outcomes = jobs.map(() => undefined);
    this.live = new Set(jobs.map((_, i) => i));
    this.attribution = new Attribution(jobs);
    this.deadline = jobs.map((job) => job.deadline).reduce((a, b) => (!a || (b && b.at < a.at) ? b : a), undefined);
  }

  /** The batch as the engine sees it now, for attributing its messages to jobs. */
  private get layout(): Layout {
    return { live: this.live, pathAtLine: this.pathAtLine };
  }

  async writeFiles(): Promise<void> {
    const live = [...this.live];
    const configured = live
      .filter((i) => this.jobs[i]!.action !== "destroy")
      .map((i) => ({ name: resourceName(i), resource: this.jobs[i]!.resource }));
    const config = locatedJson(
      mainTfJson(
        this.context.provider,
        this.provider.config,
        configured,
        credentialVariableBlocks(this.provider.variables),
      ),
    );
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
        (m) => {
          for (const [i, line] of this.attribution.progress(m, phase)) this.context.progress(i, line);
        },
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
        return this.applied(direct, this.attribution.plannedActions(direct.messages));
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
    const actions = this.attribution.plannedActions(plan.messages);
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
    const actions = this.attribution.plannedActions(plan.messages);
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
    const failed = this.attribution.errorsByJob(apply.diagnostics, this.layout);
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

  /** After a rejected plan: guessed imports that found nothing become creates, jobs whose configuration was
   * rejected fail; true if the plan is worth repeating. Errors that name no job fail the whole batch. */
  private async dropRejected(plan: EngineOutcome): Promise<boolean> {
    const errors = plan.diagnostics.filter((d) => d.severity === "error");
    const byJob = this.attribution.errorsByJob(errors, this.layout);
    const unattributed = errors.filter((d) => this.attribution.jobOf(d, this.layout) === undefined);
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
    const byJob = this.attribution.errorsByJob(outcome.diagnostics, this.layout);
    const shared = outcome.diagnostics.filter(
      (d) => d.severity === "error" && this.attribution.jobOf(d, this.layout) === undefined,
    );
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
