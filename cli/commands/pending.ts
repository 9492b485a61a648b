// `nixops4-opentofu pending …`: the records of operations in flight and of outcomes NixOps4 has not received (states
// kept after failed, interrupted or unanswered operations). The next operation on the same resource continues from
// them by itself; these commands are for looking and for manual recovery.
import { stringifyExact } from "../../bridge/json/exact-json.js";
import { stateDirFrom } from "../../bridge/options.js";
import {
  describeRecord,
  listRecords,
  readRecord,
  removeRecord,
  type OperationRecord,
} from "../../bridge/recovery/operation-records.js";
import { resourceLockOwner } from "../../bridge/recovery/resource-lock.js";
import { RESOURCE_NAME } from "../../bridge/workspace/main-tf.js";
import { stateFileDocument } from "../../bridge/workspace/tfstate.js";
import { UsageError } from "../usage-error.js";

export const PENDING_USAGE = `usage: nixops4-opentofu pending <list | show ID | tfstate ID | forget ID>
  list         the records: ID (the resource's identity), type, object ID, operation, time, outcome
  show ID      the whole record as JSON (sensitive attribute values were removed when it was kept)
  tfstate ID   the kept state as a terraform.tfstate document, to inspect or destroy the object by hand with
               tofu/terraform in a workspace that configures the same provider
  forget ID    delete the record (after you have dealt with the object yourself); refused while its operation runs
The records live in $NIXOPS4_OPENTOFU_STATE_DIR/pending (default $XDG_STATE_HOME/nixops4-resources-opentofu).`;

export async function pendingCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const stateDir = stateDirFrom(process.env);
  const [action, id, ...extra] = argv;
  if (extra.length > 0) throw new UsageError(`pending: unexpected argument "${extra[0]}"`);
  const record = async () => {
    if (!id)
      throw new UsageError(`pending ${action}: which record? give its ID (see \`nixops4-opentofu pending list\`)`);
    const found = await readRecord(stateDir, id);
    if (!found) throw new Error(`no kept state with ID ${id} in ${stateDir}/pending`);
    return found;
  };
  switch (action) {
    case "list": {
      const records = await listRecords(stateDir);
      if (records.length === 0) {
        log(`no kept states in ${stateDir}/pending`);
        return;
      }
      for (const r of records) process.stdout.write(`${r.id}  ${describeRecord(r)}\n`);
      return;
    }
    case "show":
      process.stdout.write(stringifyExact(await record(), 2) + "\n");
      return;
    case "tfstate": {
      const state = stateOf(await record());
      if (!state) throw new Error(`record ${id} holds no state (the operation left none, or its outcome is unknown)`);
      process.stdout.write(stringifyExact(stateFileDocument([{ name: RESOURCE_NAME, state }]), 2) + "\n");
      return;
    }
    case "forget": {
      await record();
      const owner = await resourceLockOwner(stateDir, id!);
      if (owner)
        throw new Error(
          `record ${id} belongs to an operation that is still running (process ${owner.pid}); wait for it to finish`,
        );
      await removeRecord(stateDir, id!);
      log(`forgot ${id}`);
      return;
    }
    default:
      throw new UsageError(`pending: unknown action "${action ?? ""}"; use list, show, tfstate or forget`);
  }
}

function stateOf(record: OperationRecord) {
  return record.outcome?.state ?? record.previous?.state;
}
