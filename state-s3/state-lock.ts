// The session lock: one object beside the state, created with If-None-Match so that of two sessions starting at
// once exactly one gets it (never read-then-write), removed with If-Match on its own ETag so that a session whose
// lock was broken never removes the next holder's.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { describeHolder, isSafelyStale, parseLockRecord, type LockRecord } from "./lock-record.js";
import { describeS3Error, isNotFound, isPreconditionFailed } from "./s3-client.js";
import { locationFlags, locationUrl, type StateLocation } from "./state-inputs.js";
import { lockKey } from "./state-layout.js";

export interface HeldLock {
  record: LockRecord;
  etag: string;
}

export class StateLockedError extends Error {}

/** What `state break-lock` takes instead of an ID for a lock object that names no holder. */
export const UNREADABLE_LOCK = "unreadable";

export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function readLock(
  s3: S3Client,
  location: StateLocation,
): Promise<{ record: LockRecord | undefined; text: string; etag: string } | undefined> {
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: lockKey(location) }));
    const text = (await got.Body?.transformToString()) ?? "";
    let record: LockRecord | undefined;
    try {
      record = parseLockRecord(text);
    } catch {
      record = undefined;
    }
    return { record, text, etag: got.ETag ?? "" };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new Error(describeS3Error(error, location, "reading the lock of"), { cause: error });
  }
}

async function tryCreate(s3: S3Client, location: StateLocation, record: LockRecord): Promise<string | undefined> {
  try {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: lockKey(location),
        Body: JSON.stringify(record, null, 2) + "\n",
        ContentType: "application/json",
        IfNoneMatch: "*",
      }),
    );
    return put.ETag ?? "";
  } catch (error) {
    if (isPreconditionFailed(error)) return undefined;
    throw new Error(describeS3Error(error, location, "taking the lock of"), { cause: error });
  }
}

/** Takes the lock, or throws StateLockedError naming the holder and the way out. */
export async function acquireLock(
  s3: S3Client,
  location: StateLocation,
  by: string,
  log: (line: string) => void,
): Promise<HeldLock> {
  const record: LockRecord = {
    id: randomUUID(),
    user: currentUser(),
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
    by,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const etag = await tryCreate(s3, location, record);
    if (etag !== undefined) return { record, etag };
    const held = await readLock(s3, location);
    if (!held) continue; // released between our write and our read: try again
    if (held.record && isSafelyStale(held.record, { host: hostname(), isAlive })) {
      log(
        `the lock of ${locationUrl(location)} was held by ${describeHolder(held.record)}, a process that no longer runs on this host; breaking it`,
      );
      await deleteLockIfUnchanged(s3, location, held.etag);
      continue;
    }
    const breakCommand = `nixops4-opentofu state break-lock ${locationFlags(location)} ${held.record ? held.record.id : UNREADABLE_LOCK}`;
    const holder = held.record
      ? `${describeHolder(held.record)} (lock ID ${held.record.id})`
      : `an unreadable lock object (${JSON.stringify(held.text.slice(0, 200))})`;
    throw new StateLockedError(
      `the state ${locationUrl(location)} is locked by ${holder}: another session (nixops4 apply) is using it. ` +
        `Wait for it to finish. If that session is gone for good (a crashed machine), break the lock with: ${breakCommand}`,
    );
  }
  throw new StateLockedError(
    `the lock of ${locationUrl(location)} changed hands three times while this session tried to take it; try again`,
  );
}

/** Deletes the lock only while it is the version read; false when it changed (someone else holds it now). */
export async function deleteLockIfUnchanged(s3: S3Client, location: StateLocation, etag: string): Promise<boolean> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: lockKey(location), IfMatch: etag }));
    return true;
  } catch (error) {
    if (isPreconditionFailed(error) || isNotFound(error)) return false;
    throw new Error(describeS3Error(error, location, "removing the lock of"), { cause: error });
  }
}

export async function releaseLock(
  s3: S3Client,
  location: StateLocation,
  lock: HeldLock,
  log: (line: string) => void,
): Promise<void> {
  if (!(await deleteLockIfUnchanged(s3, location, lock.etag))) {
    log(`the lock of ${locationUrl(location)} was no longer this session's (broken by someone); left it as it is`);
  }
}
