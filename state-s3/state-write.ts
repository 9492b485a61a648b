// Records one event: the new snapshot is written conditionally on the version this session read (If-Match on its
// ETag; If-None-Match for a location's first write), so a session whose version is no longer current fails and
// writes nothing, and two sessions never both win. Only then is the event copied into the history.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { stringifyExact } from "../bridge/json/exact-json.js";
import { describeS3Error, isPreconditionFailed } from "./s3-client.js";
import { applyStatePatch, initialEvent, type Patch, type StateEvent } from "./state-document.js";
import { locationUrl, type StateLocation } from "./state-inputs.js";
import { writeHistoryEvents } from "./state-history.js";
import type { Version } from "./state-read.js";
import { SNAPSHOT_TYPE, type Snapshot } from "./snapshot-format.js";

export class LostUpdateError extends Error {}

export async function commitEvent(
  s3: S3Client,
  location: StateLocation,
  base: Version | undefined,
  patch: Patch,
  meta: StateEvent["meta"],
  log: (line: string) => void,
): Promise<Version> {
  const events: StateEvent[] = base ? [] : [initialEvent(meta)];
  const index = base ? base.snapshot.index + 1 : 1;
  const event: StateEvent = { index, meta, patch };
  events.push(event);
  const state = applyStatePatch(base ? base.snapshot.state : applyStatePatch(undefined, events[0]!.patch), patch);
  const snapshot: Snapshot = { _type: SNAPSHOT_TYPE, index, state, events };
  let etag: string;
  try {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Body: stringifyExact(snapshot, 2) + "\n",
        ContentType: "application/json",
        ...(base ? { IfMatch: base.etag } : { IfNoneMatch: "*" }),
      }),
    );
    etag = put.ETag ?? "";
  } catch (error) {
    if (isPreconditionFailed(error)) {
      throw new LostUpdateError(
        `the state ${locationUrl(location)} was changed by another session since this one read it (at event ` +
          `${base ? base.snapshot.index : "none"}); this event (${index}) was NOT recorded. Nothing was overwritten; ` +
          `run the deployment again, and check \`nixops4-opentofu state history\` for what the other session recorded`,
      );
    }
    throw new Error(describeS3Error(error, location, `recording event ${index} in`), { cause: error });
  }
  try {
    await writeHistoryEvents(s3, location, events);
  } catch (error) {
    // The event is durable in the snapshot already; the next reader copies it into the history.
    log(`event ${index} is recorded, but its history copy failed: ${(error as Error).message}`);
  }
  return { snapshot, etag };
}
