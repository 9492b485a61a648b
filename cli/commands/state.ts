// `nixops4-opentofu state …`: look at and repair a deployment's state kept in S3 by nixops4-state-s3 (the
// `s3.object` state resource): the current document, its history, the document at any earlier event, restoring
// one, and breaking a lock whose session is gone.
import { parseArgs } from "node:util";
import { stringifyExact } from "../../bridge/json/exact-json.js";
import { describeHolder } from "../../state-s3/lock-record.js";
import { s3ClientFor } from "../../state-s3/s3-client.js";
import { emptyState } from "../../state-s3/state-document.js";
import {
  DEFAULT_KEY,
  locationUrl,
  parseStateInputs,
  StateInputError,
  type StateLocation,
} from "../../state-s3/state-inputs.js";
import { documentAt, listHistory, readHistoryEvent } from "../../state-s3/state-history.js";
import {
  acquireLock,
  deleteLockIfUnchanged,
  readLock,
  releaseLock,
  UNREADABLE_LOCK,
} from "../../state-s3/state-lock.js";
import { readCurrent } from "../../state-s3/state-read.js";
import { commitEvent } from "../../state-s3/state-write.js";
import { UsageError } from "../usage-error.js";

export const STATE_USAGE = `usage: nixops4-opentofu state <show | history | at INDEX | restore INDEX | lock | break-lock ID> --bucket BUCKET
                        [--key KEY] [--endpoint URL] [--region REGION] [--force-path-style]
  show            the current nixopsState document
  history         one line per event: index, time, event, who, number of patch operations
  at INDEX        the document as it was right after event INDEX
  restore INDEX   record a new event that sets the document back to what it was after event INDEX (takes the lock)
  lock            who holds the lock, if anyone
  break-lock ID   remove the lock with that ID (as the "state is locked" error names it), only while it is that
                  lock; do this only when its session is gone for good (ID "${UNREADABLE_LOCK}": a lock object naming no holder)
The location flags are the state resource's inputs (default key "${DEFAULT_KEY}"); credentials come from the AWS
environment or profile, as for the state provider.`;

function locationFrom(values: {
  bucket?: string;
  key?: string;
  endpoint?: string;
  region?: string;
  "force-path-style"?: boolean;
}): StateLocation {
  try {
    return parseStateInputs({
      bucket: values.bucket ?? null,
      key: values.key ?? null,
      endpoint: values.endpoint ?? null,
      region: values.region ?? null,
      force_path_style: values["force-path-style"] ?? false,
    });
  } catch (error) {
    if (error instanceof StateInputError)
      throw new UsageError(
        `state: ${error.message.replace(/input "(\w+)"/, (_, n: string) => `--${n.replace(/_/g, "-")}`)}`,
      );
    throw error;
  }
}

function indexArgument(text: string | undefined, action: string): number {
  if (text === undefined || !/^\d+$/.test(text))
    throw new UsageError(`state ${action}: give the event index (see \`nixops4-opentofu state history\`)`);
  return Number(text);
}

const print = (value: unknown) => process.stdout.write(stringifyExact(value, 2) + "\n");

export async function stateCommand(argv: string[], log: (line: string) => void): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        bucket: { type: "string" },
        key: { type: "string" },
        endpoint: { type: "string" },
        region: { type: "string" },
        "force-path-style": { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError(`state: ${(error as Error).message}`);
  }
  const [action, argument, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new UsageError(`state: unexpected argument "${extra[0]}"`);
  if (!["show", "history", "at", "restore", "lock", "break-lock"].includes(action ?? "")) {
    throw new UsageError(`state: unknown action "${action ?? ""}"; use show, history, at, restore, lock or break-lock`);
  }
  const location = locationFrom(parsed.values);
  const s3 = s3ClientFor(location);
  try {
    switch (action) {
      case "show":
        print((await readCurrent(s3, location, log))?.snapshot.state ?? emptyState());
        return;
      case "history": {
        const indices = await listHistory(s3, location);
        if (indices.length === 0) log(`no history at ${locationUrl(location)}`);
        for (const index of indices) {
          const { meta, patch } = await readHistoryEvent(s3, location, index);
          const who = typeof meta.user === "string" ? `${meta.user}@${String(meta.host)}` : "-";
          process.stdout.write(
            `${index}\t${meta.time}\t${(meta.event as string | undefined) ?? "-"}\t${who}\t${patch.length} operation(s)\n`,
          );
        }
        return;
      }
      case "at":
        print(await documentAt(s3, location, indexArgument(argument, "at")));
        return;
      case "restore": {
        const index = indexArgument(argument, "restore");
        const lock = await acquireLock(s3, location, "nixops4-opentofu state restore", log);
        try {
          const document = await documentAt(s3, location, index);
          const current = await readCurrent(s3, location, log);
          const meta = {
            time: new Date().toISOString(),
            event: "restore",
            restoredFrom: index,
            user: lock.record.user,
            host: lock.record.host,
            lock: lock.record.id,
          };
          const written = await commitEvent(
            s3,
            location,
            current,
            [{ op: "replace", path: "", value: document }],
            meta,
            log,
          );
          log(
            `recorded event ${written.snapshot.index}: the state of ${locationUrl(location)} is now what it was after event ${index}`,
          );
        } finally {
          await releaseLock(s3, location, lock, log);
        }
        return;
      }
      case "lock": {
        const held = await readLock(s3, location);
        if (!held) log(`${locationUrl(location)} is not locked`);
        else
          process.stdout.write(
            held.record
              ? `${held.record.id}\t${describeHolder(held.record)}\n`
              : `unreadable lock object: ${held.text.slice(0, 200)}\n`,
          );
        return;
      }
      case "break-lock": {
        if (!argument)
          throw new UsageError(
            "state break-lock: give the lock ID the error named (see `nixops4-opentofu state lock`)",
          );
        const held = await readLock(s3, location);
        if (!held) throw new Error(`${locationUrl(location)} is not locked`);
        if ((held.record?.id ?? UNREADABLE_LOCK) !== argument) {
          throw new Error(
            `the lock of ${locationUrl(location)} is ${held.record ? `${held.record.id}, held by ${describeHolder(held.record)}` : "unreadable"}, not ${argument}; nothing was removed`,
          );
        }
        if (!(await deleteLockIfUnchanged(s3, location, held.etag)))
          throw new Error(`the lock changed while it was being broken; nothing was removed`);
        log(
          `broke the lock ${argument} of ${locationUrl(location)}${held.record ? ` (held by ${describeHolder(held.record)})` : ""}`,
        );
        return;
      }
    }
  } finally {
    s3.destroy();
  }
}
