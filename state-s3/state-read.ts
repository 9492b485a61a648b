// Reads the current snapshot and its ETag (the version every later write of the session is conditional on), and
// writes the snapshot's own events into the history if a crash left them out.
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { describeS3Error, isNotFound } from "./s3-client.js";
import { locationUrl, type StateLocation } from "./state-inputs.js";
import { writeHistoryEvents } from "./state-history.js";
import { parseSnapshot, type Snapshot } from "./snapshot-format.js";

export interface Version {
  snapshot: Snapshot;
  etag: string;
}

/** The current version, or undefined for a location nothing was written to yet. */
export async function readCurrent(
  s3: S3Client,
  location: StateLocation,
  log: (line: string) => void,
): Promise<Version | undefined> {
  let text: string;
  let etag: string;
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    text = (await got.Body?.transformToString()) ?? "";
    etag = got.ETag ?? "";
  } catch (error) {
    if (isNotFound(error) && (error as { name?: string }).name !== "NoSuchBucket") return undefined;
    throw new Error(describeS3Error(error, location, "reading the state"), { cause: error });
  }
  const snapshot = parseSnapshot(text, locationUrl(location));
  try {
    await writeHistoryEvents(s3, location, snapshot.events);
  } catch (error) {
    // A reader without write access still gets the state; the next writer repairs the history.
    log(`could not complete the history: ${(error as Error).message}`);
  }
  return { snapshot, etag };
}
