// One resource operation: the engine's plan and apply (batch-run.ts) plus what the bridge owes the user around
// them: redacted progress and errors, a retry when planning lost its provider, and the operation's record, which
// gets the outcome before anything is answered, so that a failure after the engine changed something, or a
// response that never reaches NixOps4, leaves nothing in the cloud forgotten.
import { throwIfInterrupted, type Interrupts } from "../../opentofu/engine/interrupts.js";
import type { ProviderRef } from "../../opentofu/provider/provider-address.js";
import { guessImportId, reportsExistingObject } from "../recovery/import-guess.js";
import {
  recordApplying,
  recordOutcome,
  recordPath,
  updateRecord,
  type RecordOutcome,
  type RecordTarget,
} from "../recovery/operation-records.js";
import { processStart } from "../machine/process-identity.js";
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
  /** For messages and records: create, update, destroy, import. */
  operation: string;
  /** The import ID is a guess (retrying a create that failed without state): if no such object exists, create. */
  importIsGuess?: boolean;
  deadline?: BatchJob["deadline"];
  pluginDir?: string;
  /** The operation's record (none for data sources, which change nothing). */
  record?: RecordTarget;
  redactor: Redactor;
  log: (line: string) => void;
  /** The caller's interrupt: this process's signals, or those a bridge handed on to the operation server. */
  interrupts: Interrupts;
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

/** An apply that ended because its provider or engine died, not because the API said no: the provider may have
 * made the object without anyone recording it. */
const DIED_MIDWAY =
  /Plugin did not respond|Reattachment process not found|connection is shut down|code = Unavailable|error reading from server|the engine exited with code \d+ \(SIG[A-Z]+\)/i;

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
    deadline: request.deadline,
  };
  let outcome: JobOutcome;
  const runner = await request.connect();
  // Written before any engine gets the operation: a retry that finds this bridge gone waits for the host instead,
  // and one that finds no hand-over knows that nothing can have changed.
  const hostPid = runner.hostPid;
  if (request.record) {
    await updateRecord(request.record, (r) => {
      // A second attempt (the plan lost its provider) runs again: the first one's "nothing changed" no longer holds.
      r.phase = "running";
      r.outcome = undefined;
      r.applying = "not yet";
      r.handedOver = hostPid === undefined ? "local" : "host";
      if (hostPid !== undefined) r.host = { pid: hostPid, start: processStart(hostPid) };
    });
  }
  try {
    outcome = await runner.run(job, {
      progress: (line) => request.log(request.redactor.redact(line)),
      signal: request.interrupts.signal,
      keepFor: { lineage: request.lineage, operation: request.operation, ...(request.record ?? {}) },
      // On a host, the host notes it itself (it outlives this bridge).
      beforeApply: async (actions) => {
        if (request.record && request.action !== "read") await recordApplying(request.record, actions);
      },
    });
  } catch (error) {
    if (error instanceof JobInterruptedError) throwIfInterrupted("applying the plan", request.interrupts);
    throw error;
  } finally {
    await runner.release();
  }
  if (outcome.kind === "failed") {
    const what =
      request.action === "read" ? "reading the data source" : outcome.stage === "plan" ? "planning" : "applying";
    const details = redactor.redact(outcome.details);
    let kept = "";
    const unknown = outcome.unknown === true || DIED_MIDWAY.test(outcome.details);
    if (outcome.stage === "apply")
      kept = await keepStateAfterFailure(request, claim(request, outcome.state), details, unknown);
    else await record(request, { result: "failed", changed: false, reason: `${what} failed: ${details}` });
    const message = redactor.redact(`${label}: ${what} failed:\n${details}${kept}`);
    throw outcome.providerLost ? new ProviderLostError(message) : new EngineOperationError(message);
  }
  const state = claim(request, outcome.state);
  const interrupted = request.interrupts.by();
  // Interrupted after applying: NixOps4 may be gone and never persist the response, so the outcome is kept for
  // the rerun even once the response is written.
  const result = interrupted && outcome.actions.length > 0 ? "interrupted" : "succeeded";
  await record(request, {
    result,
    changed: outcome.actions.length > 0,
    state,
    reason:
      result === "interrupted" ? `interrupted by ${interrupted} after applying` : `${request.operation} succeeded`,
  });
  return { state, actions: outcome.actions };
}

async function record(request: WorkspaceRunRequest, outcome: Omit<RecordOutcome, "at">): Promise<void> {
  if (request.record && request.action !== "read") await recordOutcome(request.record, outcome);
}

/** A state the engine produced becomes this resource's: its lineage, and its sensitive values kept out of messages. */
function claim(request: WorkspaceRunRequest, state: ResourceState | undefined): ResourceState | undefined {
  if (state) {
    state.record.lineage = request.lineage;
    addSensitiveOfState(request.redactor, state);
  }
  return state;
}

/** After a failed or interrupted apply: record whatever state the engine wrote, and say where it is and how to get
 * rid of the record. */
async function keepStateAfterFailure(
  request: WorkspaceRunRequest,
  state: ResourceState | undefined,
  reason: string,
  unknown: boolean,
): Promise<string> {
  const interrupted = request.interrupts.by();
  const why = interrupted ? `interrupted by ${interrupted}` : reason;
  const result = interrupted ? "interrupted" : "failed";
  const where = request.record
    ? ` (record ${recordPath(request.record.stateDir, request.record.id)}; once you have dealt with the object yourself, ` +
      `\`nixops4-opentofu pending forget ${request.record.id}\` drops it)`
    : "";
  if (unknown) {
    await record(request, { result, changed: "unknown", state, reason: why });
    const next =
      request.operation === "create" || request.operation === "import"
        ? "the next create of this resource looks for it by the name its inputs give, or refuses to make another until " +
          "you adopt it with inputs.import.id"
        : request.operation === "destroy"
          ? "the next destroy of this resource runs it again (destroying again is safe)"
          : "the next operation on this resource runs the update again if its plan changed the object in place, and " +
            "refuses if the plan made a new object (a replacement nothing may record)";
    return `\nWhether ${request.resource.type} was changed is unknown: ${next}${where}.`;
  }
  if (!state && !request.prior && request.action === "apply") {
    if (!interrupted && reportsExistingObject(reason)) {
      // Made by an earlier attempt of ours, or someone else's: the error cannot tell. Taking it over could later
      // destroy an object that was never this resource's, so it is left to the user.
      await record(request, { result, changed: false, reason: why });
      const guess = guessImportId(request.resource.args, request.resource.type);
      return (
        `
An object by that name exists already. If it is this resource's (an earlier attempt, or the provider ` +
        `retrying a request whose answer was lost, may have made it), adopt it with inputs.import.id` +
        `${guess ? ` = "${guess}"` : ""}; otherwise choose another name. The bridge does not take over an existing object by itself.`
      );
    }
    // A create failed without state, but the provider may have made the object before failing: remember the
    // attempt so that a retry first looks for it instead of making a second one.
    await record(request, { result, changed: true, reason: why });
    return `${interrupted ? `\n(interrupted by ${interrupted})` : ""}\nThe next create of this resource first looks for an object this attempt may have made${where}.`;
  }
  const unchanged =
    state === undefined
      ? request.prior === undefined
      : request.prior !== undefined && JSON.stringify(request.prior.attributes) === JSON.stringify(state.attributes);
  if (unchanged || !state) {
    await record(request, { result, changed: unchanged ? false : true, state, reason: why });
    return interrupted ? `\n(interrupted by ${interrupted}; nothing was changed)` : "";
  }
  await record(request, { result, changed: true, state, reason: why });
  const path = request.record ? ` at ${recordPath(request.record.stateDir, request.record.id)}` : "";
  const forget = request.record
    ? `; once you have dealt with the object yourself, \`nixops4-opentofu pending forget ${request.record.id}\` drops it`
    : "";
  return (
    `\nThe engine changed ${request.resource.type} before the failure; its state is kept${path} and the next create or ` +
    `update of this resource adopts it (list with: nixops4-opentofu pending list${forget}).`
  );
}
