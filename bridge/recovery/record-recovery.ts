// What a later operation on a resource does with the record an earlier one left (operation-records.ts). Pure:
// liveness and time come in as arguments, so every rule is tested on its own.
//   - its owner still runs it: wait, then decide again from what it recorded;
//   - its outcome is known and holds a state: adopt that state (the engine then converges from it);
//   - a create failed as the engine reported it, without state: look for the object first (guessed import);
//   - its owners died while it ran and nothing recorded the outcome: unknown. A create never makes a second object
//     blindly then; the caller adopts it where that is safe, else refuses and names the ways out.
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
  /** The record is another object's (another lineage) or, for a create, was made with other inputs. */
  | { kind: "foreign"; why: string; previous?: RecordOutcome };

export interface CurrentOperation {
  operation: OperationKind;
  inputsHash: string;
  configHash?: string;
  /** The state NixOps4 sent (update, destroy). */
  known?: ResourceState;
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
      changed: handedOver ? "unknown" : false,
      reason: handedOver
        ? `${who} stopped while it ran and recorded no outcome`
        : `${who} stopped before it handed the operation to an engine, so nothing was changed`,
      at: record.startedAt,
    };
  } else {
    outcome = record.outcome!;
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
  if (outcome.state) {
    if (current.known && current.known.record.serial > outcome.state.record.serial) return { kind: "fresh" };
    return { kind: "adopt", state: outcome.state, why, previous: outcome };
  }
  if (outcome.changed === false) return { kind: "fresh" };
  if (outcome.changed === "unknown") return { kind: "unknown", why, previous: outcome };
  if (record.operation === "destroy" && outcome.result !== "failed") return { kind: "destroyed", why };
  if (record.operation === "create" || record.operation === "import")
    return { kind: "failed-create", why, previous: outcome };
  return { kind: "fresh" };
}
