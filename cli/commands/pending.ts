// `nixops4-opentofu pending …`: the states the bridge kept after failed or interrupted operations. The next create
// or update of the same resource adopts them by itself; these commands are for looking and for manual recovery.
import { stringifyExact } from "../../bridge/json/exact-json.js";
import { stateDirFrom } from "../../bridge/options.js";
import { clearPending, listPending, readPending } from "../../bridge/recovery/pending-states.js";
import { RESOURCE_NAME } from "../../bridge/workspace/main-tf.js";
import { stateFileDocument } from "../../bridge/workspace/tfstate.js";
import { UsageError } from "../usage-error.js";

export const PENDING_USAGE = `usage: nixops4-opentofu pending <list | show ID | tfstate ID | forget ID>
  list         the kept states: ID (the resource's lineage), type, operation, time, reason
  show ID      the whole record as JSON (sensitive attribute values were removed when it was kept)
  tfstate ID   the kept state as a terraform.tfstate document, to inspect or destroy the object by hand with
               tofu/terraform in a workspace that configures the same provider
  forget ID    delete the record (after you have dealt with the object yourself)
The records live in $NIXOPS4_OPENTOFU_STATE_DIR/pending (default $XDG_STATE_HOME/nixops4-resources-opentofu).`;

export async function pendingCommand(argv: string[], log: (line: string) => void): Promise<void> {
  const stateDir = stateDirFrom(process.env);
  const [action, id, ...extra] = argv;
  if (extra.length > 0) throw new UsageError(`pending: unexpected argument "${extra[0]}"`);
  const record = async () => {
    if (!id) throw new UsageError(`pending ${action}: which record? give its ID (see \`nixops4-opentofu pending list\`)`);
    const found = await readPending(stateDir, id);
    if (!found) throw new Error(`no kept state with ID ${id} in ${stateDir}/pending`);
    return found;
  };
  switch (action) {
    case "list": {
      const records = await listPending(stateDir);
      if (records.length === 0) {
        log(`no kept states in ${stateDir}/pending`);
        return;
      }
      for (const r of records) {
        const object = r.state ? String((r.state.attributes.id as string | number | undefined) ?? "") : "(no state: the retry looks for the object)";
        process.stdout.write(`${r.lineage}  ${r.type}  ${object}  ${r.operation}  ${r.savedAt}  ${r.reason.split("\n")[0]}\n`);
      }
      return;
    }
    case "show":
      process.stdout.write(stringifyExact(await record(), 2) + "\n");
      return;
    case "tfstate": {
      const found = await record();
      if (!found.state) throw new Error(`record ${id} holds no state (the failed create left none)`);
      process.stdout.write(stringifyExact(stateFileDocument([{ name: RESOURCE_NAME, state: found.state }]), 2) + "\n");
      return;
    }
    case "forget":
      await record();
      await clearPending(stateDir, id!);
      log(`forgot ${id}`);
      return;
    default:
      throw new UsageError(`pending: unknown action "${action ?? ""}"; use list, show, tfstate or forget`);
  }
}
