// What a lock object says about the session that holds it, and when it is safe to take it over without asking:
// only when the holder ran on this very host and its process is gone. A holder on another machine may still be
// running (a long apply, a laptop asleep), so that lock is only ever broken by a person.
import { parseExact } from "../bridge/json/exact-json.js";

export interface LockRecord {
  /** Random; `state break-lock ID` removes the lock only while it is still this one. */
  id: string;
  user: string;
  host: string;
  pid: number;
  /** ISO 8601 time the lock was taken. */
  since: string;
  /** The program that holds it (`nixops4-state-s3`, or `nixops4-opentofu state restore`). */
  by: string;
}

export class LockRecordError extends Error {}

export function parseLockRecord(text: string): LockRecord {
  let value: unknown;
  try {
    value = parseExact(text);
  } catch {
    throw new LockRecordError("the lock object is not JSON");
  }
  const v = value as Partial<LockRecord> | null;
  if (
    v === null ||
    typeof v !== "object" ||
    typeof v.id !== "string" ||
    typeof v.user !== "string" ||
    typeof v.host !== "string" ||
    typeof v.pid !== "number" ||
    typeof v.since !== "string"
  ) {
    throw new LockRecordError("the lock object does not name its holder (id, user, host, pid, since)");
  }
  return {
    id: v.id,
    user: v.user,
    host: v.host,
    pid: v.pid,
    since: v.since,
    by: typeof v.by === "string" ? v.by : "unknown",
  };
}

export function describeHolder(record: LockRecord): string {
  return `${record.user}@${record.host} (pid ${record.pid}, ${record.by}) since ${record.since}`;
}

/** True only when the holder is known to be gone: same host, and no process with its pid. */
export function isSafelyStale(record: LockRecord, here: { host: string; isAlive: (pid: number) => boolean }): boolean {
  return record.host === here.host && !here.isAlive(record.pid);
}
