// What a later operation on a resource does with the record an earlier one left (operation-records.ts). Pure:
// liveness and time come in as arguments, so every rule is tested on its own.
//   - its owner still runs it: wait, then decide again from what it recorded;
//   - its outcome is known and holds a state: adopt that state (the engine then converges from it);
//   - a create failed as the engine reported it, without state: look for the object first (guessed import);
//   - its owners died while it ran and nothing recorded the outcome: unknown. Then what the record says about the
//     engine's progress decides whether running the operation again is safe:
//       handed to no engine yet, or planned but not applying ("not yet"): nothing was changed (planning only
//         reads), so the earlier attempt is as if it never ran;
//       applying a destroy: safe to run again, from the state NixOps4 holds: the engine refreshes, an object
//         already gone is just removed from the state, one still there is destroyed;
//       applying an update whose plan had only in-place changes (`update`, or none): safe to run again from the
//         state NixOps4 holds (the prior state): the refresh reads what the killed apply did and the plan holds
//         only the difference still left; no object is made, so none can be duplicated;
//       applying a plan that makes an object (`create`, `replace`, either order), or whose plan nobody recorded
//         (a record of an older bridge): not safe. The replacement may exist with nothing recording it, so
//         running again could make a second one, and destroying the known object could leave the replacement
//         behind. A create then looks for the object by the name its inputs give; where it cannot, and for an
//         update or destroy, the caller refuses and names the ways out.
import type { ProcessIdentity } from "../machine/process-identity.js";
import type { ResourceState } from "../workspace/tfstate.js";
import { liveOwners, type OperationKind, type OperationRecord, type RecordOutcome } from "./operation-records.js";

/** A host that was handed an operation but has not said it took it, after this long, never will. */
export const HANDOVER_GRACE_MS = 10_000;
/** How long the answer to a create is given again to the same create: NixOps4 repeats a create whose answer it
 * lost (it crashed before persisting it) soon; much later, an equal create is more likely another deployment's
 * member at the same path with the same inputs. */
export const RECEIPT_MS = 60 * 60 * 1000;

export type Continuation =
  /** Nothing to continue from. */
  | { kind: "fresh" }
  | { kind: "wait"; owners: string[] }
  | { kind: "adopt"; state: ResourceState; why: string; previous: RecordOutcome }
  /** An earlier create failed without leaving state; the provider may still have made the object. */
  | { kind: "failed-create"; why: string; previous: RecordOutcome }
  /** An earlier destroy of this resource finished; its response was lost. */
  | { kind: "destroyed"; why: string }
  | { kind: "unknown"; why: string; previous: RecordOutcome }
  /** The outcome is unknown, but running this update or destroy again from the state NixOps4 holds is safe. */
  | { kind: "rerun"; why: string; previous: RecordOutcome }
  /** The record is another object's (another lineage) or, for a create, was made with other inputs. */
  | { kind: "foreign"; why: string; previous?: RecordOutcome };

export interface CurrentOperation {
  operation: OperationKind;
  inputsHash: string;
  configHash?: string;
  /** The state NixOps4 sent (update, destroy). */
  known?: ResourceState;
}

/** Planned actions that change an object in place, or nothing: applying them again from the prior state is safe. */
const IN_PLACE = new Set(["update", "noop", "read"]);

/** Whether applying the record's operation again, from the state NixOps4 holds, can make no second object. */
export function safeToRerun(record: OperationRecord): boolean {
  if (record.operation === "destroy") return true;
  if (record.operation !== "update" || typeof record.applying !== "object") return false;
  return record.applying.actions.every((action) => IN_PLACE.has(action));
}

function firstLine(text: string): string {
  return text.split("\n")[0]!;
}

export function continuationOf(
  record: OperationRecord,
  current: CurrentOperation,
  alive: (identity: ProcessIdentity) => boolean,
  now: number,
): Continuation {
  let outcome: RecordOutcome;
  if (record.phase === "answered") {
    const same =
      current.operation === "create" &&
      record.inputsHash === current.inputsHash &&
      record.configHash === current.configHash &&
      record.outcome?.state !== undefined &&
      now - Date.parse(record.outcome.at) < RECEIPT_MS;
    if (!same) return { kind: "fresh" };
    return {
      kind: "adopt",
      state: record.outcome!.state!,
      why: `create answered at ${record.outcome!.at} (asked again, so NixOps4 did not keep that answer)`,
      previous: record.outcome!,
    };
  }
  if (record.phase === "running") {
    const owners = liveOwners(record, alive);
    const bridgeAlive = record.bridge.pid > 0 && alive(record.bridge);
    const hostAlive = owners.some((o) => o.startsWith("provider host"));
    const takenOrYoung = record.host?.accepted === true || now - Date.parse(record.startedAt) < HANDOVER_GRACE_MS;
    if (bridgeAlive || (hostAlive && takenOrYoung)) return { kind: "wait", owners };
    const who = record.host
      ? `its bridge (pid ${record.bridge.pid}) and provider host (pid ${record.host.pid})`
      : `its bridge (pid ${record.bridge.pid})`;
    // A record of an older bridge says nothing about its hand-over: it counts as handed over.
    const handedOver = record.handedOver !== "none" || record.host !== undefined;
    outcome = {
      result: "failed",
      changed: handedOver && record.applying !== "not yet" ? "unknown" : false,
      reason: !handedOver
        ? `${who} stopped before it handed the operation to an engine, so nothing was changed`
        : record.applying === "not yet"
          ? `${who} stopped before its engine applied anything (it had only planned), so nothing was changed`
          : `${who} stopped while it ran and recorded no outcome`,
      at: record.startedAt,
    };
  } else {
    outcome = record.outcome!;
    // E.g. a host that lost its engine while planning: it cannot tell, the record can.
    if (outcome.changed === "unknown" && record.applying === "not yet") outcome = { ...outcome, changed: false };
  }
  if (outcome.changed === false && record.previous) {
    // This attempt changed nothing, so what it had taken over still stands (its plan is not this attempt's).
    return continuationOf(
      { ...record, phase: "finished", outcome: record.previous, previous: undefined, applying: undefined },
      current,
      alive,
      now,
    );
  }
  const why = `${record.operation} started ${record.startedAt}: ${firstLine(outcome.reason)}`;
  if (current.known && current.known.record.lineage !== record.lineage) {
    return { kind: "foreign", why: `it is of another object (lineage ${record.lineage}): ${why}`, previous: outcome };
  }
  if (
    !current.known &&
    record.inputsHash !== "" &&
    record.inputsHash !== current.inputsHash &&
    outcome.changed !== false
  ) {
    return { kind: "foreign", why: `it was made with other inputs: ${why}`, previous: outcome };
  }
  const unsafe = outcome.changed === "unknown" && typeof record.applying === "object" && !safeToRerun(record);
  if (outcome.state && !unsafe) {
    if (current.known && current.known.record.serial > outcome.state.record.serial) return { kind: "fresh" };
    return { kind: "adopt", state: outcome.state, why, previous: outcome };
  }
  if (outcome.changed === false) return { kind: "fresh" };
  if (outcome.changed === "unknown") {
    const planned = typeof record.applying === "object" ? record.applying.actions : undefined;
    const detail = planned
      ? `${why} (its plan: ${planned.length > 0 ? planned.join(", ") : "no changes"})`
      : `${why} (its plan was not recorded)`;
    if (safeToRerun(record) && (current.operation === "update" || current.operation === "destroy"))
      return { kind: "rerun", why: detail, previous: outcome };
    return { kind: "unknown", why: detail, previous: outcome };
  }
  if (record.operation === "destroy" && outcome.result !== "failed") return { kind: "destroyed", why };
  if (record.operation === "create" || record.operation === "import")
    return { kind: "failed-create", why, previous: outcome };
  return { kind: "fresh" };
}
