import { describe, expect, it } from "vitest";
import { describeHolder, isSafelyStale, parseLockRecord } from "./lock-record.js";

const record = {
  id: "id-1",
  user: "alice",
  host: "laptop",
  pid: 4242,
  since: "2026-12-01T10:00:00.000Z",
  by: "nixops4-state-s3",
};

describe("lock records", () => {
  it("parse back to the holder they name", () => {
    expect(parseLockRecord(JSON.stringify(record))).toEqual(record);
    expect(describeHolder(record)).toBe("alice@laptop (pid 4242, nixops4-state-s3) since 2026-12-01T10:00:00.000Z");
  });

  it("refuse objects that do not name a holder", () => {
    expect(() => parseLockRecord("not json")).toThrow(/not JSON/);
    expect(() => parseLockRecord(JSON.stringify({ ...record, pid: "4242" }))).toThrow(/does not name its holder/);
  });

  it("are stale only on the same host with the process gone", () => {
    expect(isSafelyStale(record, { host: "laptop", isAlive: () => false })).toBe(true);
    expect(isSafelyStale(record, { host: "laptop", isAlive: () => true })).toBe(false);
    expect(isSafelyStale(record, { host: "ci-runner", isAlive: () => false })).toBe(false);
  });
});
