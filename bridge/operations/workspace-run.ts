// One operation on a one-resource workspace: write main.tf.json and the prior state, attach the provider, let
// the engine plan, inspect the plan, apply it, and read the resulting state. A failure after the engine changed
// something keeps the resulting state in the pending store so that nothing in the cloud is forgotten.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeCliConfig } from "../engine/cli-config.js";
import { formatDiagnostics } from "../engine/diagnostics.js";
import { throwIfInterrupted, interruptSignal } from "../engine/interrupts.js";
import type { UiMessage } from "../engine/json-ui.js";
import { progressLine } from "../engine/progress.js";
import type { ProviderRef } from "../engine/provider-address.js";
import { engineEnvironment, runEngine, type EngineOutcome } from "../engine/run-engine.js";
import { savePending, clearPending } from "../recovery/pending-states.js";
import type { Redactor } from "../secrets/redactor.js";
import { locatedJson, type JsonPath } from "../workspace/located-json.js";
import { mainTfJson, type WorkspaceResource } from "../workspace/main-tf.js";
import { readStateFile, writeStateFile, type ResourceState } from "../workspace/tfstate.js";
import { withWorkspaceDir } from "../workspace/workspace-dir.js";
import { addSensitiveByStatePaths } from "../secrets/sensitive-values.js";
import type { Attachment } from "./provider-attachment.js";

export type WorkspaceAction = "apply" | "destroy" | "read";

export interface WorkspaceRunRequest {
  label: string;
  engine: string;
  provider: ProviderRef;
  providerConfig: Record<string, unknown>;
  resource: WorkspaceResource;
  prior?: ResourceState;
  lineage: string;
  action: WorkspaceAction;
  /** For messages and pending records: create, update, destroy, import. */
  operation: string;
  /** The import ID is a guess (retrying a create that failed without state): if no such object exists, create. */
  importIsGuess?: boolean;
  pluginDir?: string;
  stateDir: string;
  redactor: Redactor;
  log: (line: string) => void;
  attach: (workspace: string, baseEnv: Record<string, string | undefined>) => Promise<Attachment>;
}

export interface WorkspaceRunResult {
  state: ResourceState | undefined;
  /** What the plan said would happen, e.g. ["replace"]; empty for no changes. */
  actions: string[];
}

export class EngineOperationError extends Error {}

export async function runWorkspace(request: WorkspaceRunRequest): Promise<WorkspaceRunResult> {
  return withWorkspaceDir(async (workspace) => {
    const pathAtLine = await writeConfig(workspace, request);
    if (request.prior) await writeStateFile(workspace, request.prior);
    // The user's TF_CLI_CONFIG_FILE may be missing or point provider installation elsewhere; this one is ours.
    const cliConfig = await writeCliConfig(workspace, { pluginDir: request.pluginDir });
    const baseEnv = engineEnvironment(process.env, { TF_CLI_CONFIG_FILE: cliConfig });
    for (let attempt = 1; ; attempt++) {
      const attachment = await request.attach(workspace, baseEnv);
      try {
        return await planAndApply(request, workspace, { ...baseEnv, ...attachment.engineEnv }, pathAtLine);
      } catch (error) {
        // Planning changes nothing, so a plan that lost its provider (crashed, or its host went away) is simply
        // run again on a fresh one.
        if (!(error instanceof ProviderLostError) || attempt >= 2) throw error;
        request.log(`${request.label}: the provider went away while planning; retrying on a fresh provider process`);
      } finally {
        await attachment.release();
      }
    }
  });
}

/** The engine lost its provider process during planning (nothing was applied). */
class ProviderLostError extends EngineOperationError {}

const PROVIDER_LOST = /Plugin did not respond|Reattachment process not found|connection is shut down|code = Unavailable|failed to instantiate provider|error while dialing/i;

async function writeConfig(workspace: string, request: WorkspaceRunRequest): Promise<JsonPath[]> {
  const config = locatedJson(mainTfJson(request.provider, request.providerConfig, request.resource));
  await writeFile(join(workspace, "main.tf.json"), config.text, { mode: 0o600 });
  return config.pathAtLine;
}

const NO_SUCH_OBJECT = /non-existent remote object/i;

async function planAndApply(
  request: WorkspaceRunRequest,
  workspace: string,
  env: Record<string, string | undefined>,
  initialPathAtLine: JsonPath[],
): Promise<WorkspaceRunResult> {
  let pathAtLine = initialPathAtLine;
  const { redactor, label } = request;
  const run = (args: string[]) => {
    // An apply of a saved plan repeats the plan's summary; the user has seen it once already.
    const repeatsPlan = args[0] === "apply" && args.includes("tfplan");
    const show = (message: UiMessage) => {
      if (repeatsPlan && (message.type === "planned_change" || message.type === "change_summary")) {
        if (message.changes?.operation !== "apply") return;
      }
      const line = progressLine(message, label);
      if (line) request.log(redactor.redact(line));
    };
    return runEngine({ engine: request.engine, args, cwd: workspace, env }, show);
  };
  const common = ["-input=false", "-lock=false", "-json"];

  const fail = async (what: string, outcome: EngineOutcome, applied = false): Promise<never> => {
    const lost = outcome.diagnostics.some((d) => PROVIDER_LOST.test(`${d.summary} ${d.detail ?? ""}`));
    const details =
      formatDiagnostics(outcome.diagnostics.filter((d) => d.severity === "error"), pathAtLine) ||
      outcome.stderrTail.trim() ||
      `the engine exited with code ${outcome.exitCode}${outcome.signal ? ` (${outcome.signal})` : ""}`;
    // Only an apply changes anything; a failed plan leaves nothing to keep.
    const kept = applied ? await keepStateAfterFailure(request, workspace, details) : "";
    const message = redactor.redact(`${label}: ${what} failed:\n${details}${kept}`);
    throw lost && !applied ? new ProviderLostError(message) : new EngineOperationError(message);
  };

  if (request.action === "read") {
    const outcome = await run(["apply", "-auto-approve", ...common]);
    if (outcome.exitCode !== 0) return fail("reading the data source", outcome);
    return { state: await readState(request, workspace), actions: ["read"] };
  }

  const planArgs = ["plan", ...common, "-detailed-exitcode", "-out=tfplan"];
  if (request.action === "destroy") planArgs.push("-destroy");
  let plan = await run(planArgs);
  if (plan.exitCode === 1 && request.importIsGuess) {
    const missing = plan.diagnostics.some((d) => NO_SUCH_OBJECT.test(`${d.summary} ${d.detail ?? ""}`));
    request.log(`${label}: ${missing ? "no object from the earlier failed attempt exists" : "the earlier attempt's object cannot be imported by that ID"}; creating it`);
    request.resource = { ...request.resource, importId: undefined };
    pathAtLine = await writeConfig(workspace, request);
    plan = await run(planArgs);
  }
  if (plan.exitCode === 1 || (plan.exitCode !== 0 && plan.exitCode !== 2)) return fail("planning", plan);
  const actions = plan.messages
    .filter((m) => m.type === "planned_change" && m.change)
    .map((m) => m.change!.action);
  if (plan.exitCode === 0) {
    // Nothing to change: the prior state stands (for destroy: the object is already gone).
    if (!interruptSignal()) await clearPending(request.stateDir, request.lineage);
    return { state: request.action === "destroy" ? undefined : request.prior, actions: [] };
  }
  throwIfInterrupted("applying the plan");
  const apply = await run(["apply", ...common, "tfplan"]);
  if (apply.exitCode !== 0) return fail("applying", apply, true);
  const state = await readState(request, workspace);
  const interrupted = interruptSignal();
  if (interrupted) {
    // NixOps4 may be gone and never persist this response: keep the state so that the rerun adopts the object.
    await savePending(request.stateDir, pendingInfo(request, `interrupted by ${interrupted} after applying`), state);
  } else {
    await clearPending(request.stateDir, request.lineage);
  }
  return { state, actions };
}

function pendingInfo(request: WorkspaceRunRequest, reason: string) {
  return {
    lineage: request.lineage,
    type: request.resource.type,
    mode: request.resource.mode,
    providerAddress: request.provider.address,
    operation: request.operation,
    reason,
  };
}

async function readState(request: WorkspaceRunRequest, workspace: string): Promise<ResourceState | undefined> {
  const state = await readStateFile(workspace, request.resource, request.provider);
  if (state) {
    state.record.lineage = request.lineage;
    addSensitiveByStatePaths(request.redactor, state.record.instance.sensitive_attributes, state.attributes);
  }
  return state;
}

/** After a failed or interrupted run: keep whatever state the engine wrote, if it differs from what we started
 * with, and say where it is. */
async function keepStateAfterFailure(request: WorkspaceRunRequest, workspace: string, reason: string): Promise<string> {
  let state: ResourceState | undefined;
  try {
    state = await readState(request, workspace);
  } catch {
    return "";
  }
  const interrupted = interruptSignal();
  const why = interrupted ? `interrupted by ${interrupted}` : reason;
  if (!state && !request.prior && request.action === "apply") {
    // A create failed without state, but the provider may have made the object before failing: remember the
    // attempt so that a retry first looks for it instead of making a second one.
    await savePending(request.stateDir, pendingInfo(request, why), undefined);
    return interrupted ? `\n(interrupted by ${interrupted})` : "";
  }
  const unchanged =
    state === undefined
      ? request.prior === undefined
      : request.prior !== undefined && JSON.stringify(request.prior.attributes) === JSON.stringify(state.attributes);
  if (unchanged || !state) return interrupted ? `\n(interrupted by ${interrupted}; nothing was changed)` : "";
  const path = await savePending(request.stateDir, pendingInfo(request, why), state);
  return (
    `\nThe engine changed ${request.resource.type} before the failure; its state is kept at ${path} ` +
    `and the next create or update of this resource adopts it (list with: nixops4-opentofu pending list).`
  );
}
