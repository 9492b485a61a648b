// The provider host's part in an operation's record (operation-records.ts): it says it took the operation before
// its engine runs, and files the outcome before it answers the bridge. A bridge killed meanwhile then leaves a
// record the next operation can wait for and adopt, and a record another operation has taken over (other token)
// is never written to, so the host never files an object under another operation's record.
import type { JobOutcome } from "../jobs/batch-run.js";
import type { PendingTarget } from "../provider-host/control-protocol.js";
import { selfIdentity } from "../machine/process-identity.js";
import {
  recordApplying,
  recordOutcome,
  updateRecord,
  type RecordOutcome,
  type RecordTarget,
} from "./operation-records.js";

function targetOf(pending: PendingTarget): RecordTarget | undefined {
  return pending.stateDir && pending.id && pending.token
    ? { stateDir: pending.stateDir, id: pending.id, token: pending.token }
    : undefined;
}

/** The host's last write to each record (by token): its writes read, change and write the whole record, so one
 * that overlapped another (the acceptance, started without waiting, and the planned actions) could undo it. */
const lastWrite = new Map<string, Promise<unknown>>();

function inTurn<T>(target: RecordTarget, write: () => Promise<T>): Promise<T> {
  const previous = lastWrite.get(target.token) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(write);
  lastWrite.set(target.token, next);
  void next
    .finally(() => lastWrite.get(target.token) === next && lastWrite.delete(target.token))
    .catch(() => undefined);
  return next;
}

export async function acceptOnHost(pending: PendingTarget): Promise<void> {
  const target = targetOf(pending);
  if (target)
    await inTurn(target, () => updateRecord(target, (record) => (record.host = { ...selfIdentity(), accepted: true })));
}

/** Notes the job's planned actions before the engine applies them (false when the record is not its own). */
export async function applyingOnHost(pending: PendingTarget, actions: string[]): Promise<boolean> {
  const target = targetOf(pending);
  return target ? inTurn(target, () => recordApplying(target, actions)) : false;
}

/** Files a finished job's outcome (the state under the record's lineage); false when the record is not its own. */
export async function recordOnHost(
  pending: PendingTarget,
  outcome: JobOutcome | { kind: "error"; message: string },
): Promise<boolean> {
  const target = targetOf(pending);
  if (!target) return false;
  return inTurn(target, () => recordOutcome(target, filedOutcome(pending, outcome)));
}

function filedOutcome(
  pending: PendingTarget,
  outcome: JobOutcome | { kind: "error"; message: string },
): Omit<RecordOutcome, "at"> {
  if (outcome.kind === "error") {
    return {
      result: "failed",
      changed: "unknown",
      reason: `the provider host could not run the operation: ${outcome.message}`,
    };
  }
  const state = outcome.state
    ? { ...outcome.state, record: { ...outcome.state.record, lineage: pending.lineage } }
    : undefined;
  if (outcome.kind === "done") {
    return {
      result: "succeeded",
      changed: outcome.actions.length > 0,
      state,
      reason: `${pending.operation} finished on the provider host`,
    };
  }
  // Not the engine's diagnostics: they may echo secrets the host has no redactor for; the bridge, if it still
  // runs, replaces this with its redacted account.
  return {
    result: "failed",
    changed: outcome.stage === "apply",
    state,
    reason: `${outcome.stage === "plan" ? "planning" : "applying"} failed on the provider host`,
  };
}
