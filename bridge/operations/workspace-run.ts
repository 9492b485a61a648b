// One resource operation: the engine's plan and apply (batch-run.ts) plus what the bridge owes the user around
// them: redacted progress and errors, a retry when planning lost its provider, and the pending store, so that a
// failure after the engine changed something leaves nothing in the cloud forgotten.
import { interruption, interruptSignal, throwIfInterrupted } from "../engine/interrupts.js";
import type { ProviderRef } from "../engine/provider-address.js";
import { guessImportId, reportsExistingObject } from "../recovery/import-guess.js";
import { clearPending, savePending } from "../recovery/pending-states.js";
import type { Redactor } from "../secrets/redactor.js";
import { addSensitiveOfState } from "../secrets/sensitive-values.js";
import type { WorkspaceResource } from "../workspace/main-tf.js";
import type { ResourceState } from "../workspace/tfstate.js";
import type { BatchJob, JobOutcome } from "../jobs/batch-run.js";
import { JobInterruptedError, type JobRunner } from "../jobs/job-runner.js";

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
  connect: () => Promise<JobRunner>;
}

export interface WorkspaceRunResult {
  state: ResourceState | undefined;
  /** What the plan said would happen, e.g. ["replace"]; empty for no changes. */
  actions: string[];
}

export class EngineOperationError extends Error {}

/** The engine lost its provider process during planning (nothing was applied). */
class ProviderLostError extends EngineOperationError {}

export async function runWorkspace(request: WorkspaceRunRequest): Promise<WorkspaceRunResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runOnce(request);
    } catch (error) {
      // Planning changes nothing, so a plan that lost its provider (crashed, or its host went away) is simply
      // run again on a fresh one.
      if (!(error instanceof ProviderLostError) || attempt >= 2) throw error;
      request.log(`${request.label}: the provider went away while planning; retrying on a fresh provider process`);
    }
  }
}

async function runOnce(request: WorkspaceRunRequest): Promise<WorkspaceRunResult> {
  const { redactor, label } = request;
  const job: BatchJob = {
    label,
    resource: request.resource,
    prior: request.prior,
    action: request.action,
    importIsGuess: request.importIsGuess,
  };
  let outcome: JobOutcome;
  const runner = await request.connect();
  try {
    outcome = await runner.run(job, {
      progress: (line) => request.log(request.redactor.redact(line)),
      signal: interruption,
      keepFor: { stateDir: request.stateDir, lineage: request.lineage, operation: request.operation },
    });
  } catch (error) {
    if (error instanceof JobInterruptedError) throwIfInterrupted("applying the plan");
    throw error;
  } finally {
    await runner.release();
  }
  if (outcome.kind === "failed") {
    const what = request.action === "read" ? "reading the data source" : outcome.stage === "plan" ? "planning" : "applying";
    const kept = outcome.stage === "apply" ? await keepStateAfterFailure(request, claim(request, outcome.state), outcome.details) : "";
    const message = redactor.redact(`${label}: ${what} failed:\n${outcome.details}${kept}`);
    throw outcome.providerLost ? new ProviderLostError(message) : new EngineOperationError(message);
  }
  const state = claim(request, outcome.state);
  if (request.action !== "read") {
    const interrupted = interruptSignal();
    if (interrupted && outcome.actions.length > 0) {
      // NixOps4 may be gone and never persist this response: keep the state so that the rerun adopts the object.
      await savePending(request.stateDir, pendingInfo(request, `interrupted by ${interrupted} after applying`), state);
    } else if (!interrupted) {
      await clearPending(request.stateDir, request.lineage);
    }
  }
  return { state, actions: outcome.actions };
}

/** A state the engine produced becomes this resource's: its lineage, and its sensitive values kept out of messages. */
function claim(request: WorkspaceRunRequest, state: ResourceState | undefined): ResourceState | undefined {
  if (state) {
    state.record.lineage = request.lineage;
    addSensitiveOfState(request.redactor, state);
  }
  return state;
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

/** After a failed or interrupted run: keep whatever state the engine wrote, if it differs from what we started
 * with, and say where it is. */
async function keepStateAfterFailure(
  request: WorkspaceRunRequest,
  state: ResourceState | undefined,
  reason: string,
): Promise<string> {
  const interrupted = interruptSignal();
  const why = interrupted ? `interrupted by ${interrupted}` : reason;
  if (!state && !request.prior && request.action === "apply") {
    if (!interrupted && reportsExistingObject(reason)) {
      // Made by an earlier attempt of ours, or someone else's: the error cannot tell. Taking it over could later
      // destroy an object that was never this resource's, so it is left to the user.
      const guess = guessImportId(request.resource.args);
      return (
        `
An object by that name exists already. If it is this resource's (an earlier attempt, or the provider ` +
        `retrying a request whose answer was lost, may have made it), adopt it with inputs.import.id` +
        `${guess ? ` = "${guess}"` : ""}; otherwise choose another name. The bridge does not take over an existing object by itself.`
      );
    }
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
