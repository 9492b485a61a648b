// The history: one immutable object per event, written only after the snapshot that contains the event was
// committed, so every history object is an event that happened. Folding the events 0..i gives the document as it
// was after event i.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { stringifyExact } from "../bridge/json/exact-json.js";
import type { JsonObject } from "../bridge/protocol/messages.js";
import { describeS3Error, isNotFound, isPreconditionFailed } from "./s3-client.js";
import { foldEvents, parseStateEvent, type StateEvent } from "./state-document.js";
import { locationUrl, type StateLocation } from "./state-inputs.js";
import { historyIndexOf, historyKey, historyPrefix } from "./state-layout.js";

/** Writes each event unless its object exists already (a repair by another reader, or an earlier attempt). */
export async function writeHistoryEvents(s3: S3Client, location: StateLocation, events: StateEvent[]): Promise<void> {
  for (const event of events) {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: historyKey(location, event.index),
          Body: stringifyExact(event, 2) + "\n",
          ContentType: "application/json",
          IfNoneMatch: "*",
        }),
      );
    } catch (error) {
      if (!isPreconditionFailed(error))
        throw new Error(describeS3Error(error, location, `writing history event ${event.index} of`), { cause: error });
    }
  }
}

export async function listHistory(s3: S3Client, location: StateLocation): Promise<number[]> {
  const indices: number[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: historyPrefix(location),
          ContinuationToken: token,
        }),
      );
    } catch (error) {
      throw new Error(describeS3Error(error, location, "listing the history of"), { cause: error });
    }
    for (const object of page.Contents ?? []) {
      const index = object.Key === undefined ? undefined : historyIndexOf(location, object.Key);
      if (index !== undefined) indices.push(index);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return indices.sort((a, b) => a - b);
}

export async function readHistoryEvent(s3: S3Client, location: StateLocation, index: number): Promise<StateEvent> {
  const key = historyKey(location, index);
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
    const event = parseStateEvent((await got.Body?.transformToString()) ?? "", `s3://${location.bucket}/${key}`);
    if (event.index !== index)
      throw new Error(`s3://${location.bucket}/${key} holds event ${event.index}, not ${index}`);
    return event;
  } catch (error) {
    if (isNotFound(error)) throw new Error(`${locationUrl(location)} has no history event ${index}`, { cause: error });
    if (error instanceof Error && !("$metadata" in error)) throw error;
    throw new Error(describeS3Error(error, location, `reading history event ${index} of`), { cause: error });
  }
}

/** The document as it was right after event `index`. */
export async function documentAt(s3: S3Client, location: StateLocation, index: number): Promise<JsonObject> {
  const events: StateEvent[] = [];
  for (let i = 0; i <= index; i++) events.push(await readHistoryEvent(s3, location, i));
  return foldEvents(events);
}
