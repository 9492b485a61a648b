import { mkdtempSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  listRecords,
  pruneReceipts,
  readRecord,
  recordApplying,
  recordOutcome,
  recordPath,
  removeRecord,
  writeRecord,
  type OperationRecord,
} from "./operation-records.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (id: string, extra: Partial<OperationRecord> = {}): OperationRecord => ({
  id,
  lineage: "L",
  type: "aws_ssm_parameter",
  mode: "managed",
  providerAddress: "p",
  operation: "create",
  inputsHash: "H",
  token: "t",
  phase: "running",
  startedAt: new Date().toISOString(),
  bridge: { pid: process.pid },
  ...extra,
});
const secretState = {
  record: {
    format: 1 as const,
    mode: "managed" as const,
    type: "aws_ssm_parameter",
    providerAddress: "p",
    providerVersion: "1",
    lineage: "L",
    serial: 1,
    instance: { sensitive_attributes: [[{ type: "get_attr", value: "value" }]] },
  },
  attributes: { id: "/x", value: "TOPSECRET-value" },
};

describe("operation records", () => {
  it("are private files without sensitive values, written whole", async () => {
    dir = mkdtempSync(join(tmpdir(), "records-"));
    await writeRecord(dir, record("a"));
    expect(statSync(recordPath(dir, "a")).mode & 0o777).toBe(0o600);
    expect(
      await recordOutcome(
        { stateDir: dir, id: "a", token: "t" },
        { result: "succeeded", changed: true, state: secretState, reason: "ok" },
      ),
    ).toBe(true);
    const stored = await readRecord(dir, "a");
    expect(stored?.phase).toBe("finished");
    expect(JSON.stringify(stored)).not.toContain("TOPSECRET");
  });

  it("are changed and removed only by the operation that owns them", async () => {
    dir = mkdtempSync(join(tmpdir(), "records-"));
    await writeRecord(dir, record("a", { token: "mine" }));
    expect(
      await recordOutcome(
        { stateDir: dir, id: "a", token: "other" },
        { result: "succeeded", changed: true, reason: "x" },
      ),
    ).toBe(false);
    await removeRecord(dir, "a", "other");
    expect((await readRecord(dir, "a"))?.phase).toBe("running");
    await removeRecord(dir, "a", "mine");
    expect(await readRecord(dir, "a")).toBeUndefined();
  });

  it("list without receipts of answered creates, and prune old receipts", async () => {
    dir = mkdtempSync(join(tmpdir(), "records-"));
    await writeRecord(dir, record("open"));
    await writeRecord(dir, record("receipt", { phase: "answered" }));
    expect((await listRecords(dir)).map((r) => r.id)).toEqual(["open"]);
    expect(await pruneReceipts(dir, 60_000)).toBe(0);
    const old = new Date(Date.now() - 120_000);
    utimesSync(recordPath(dir, "receipt"), old, old);
    utimesSync(recordPath(dir, "open"), old, old);
    expect(await pruneReceipts(dir, 60_000)).toBe(1);
    expect(await readRecord(dir, "receipt")).toBeUndefined();
    expect(await readRecord(dir, "open")).toBeDefined();
  });

  it("prunes at most once per interval when asked to, whatever the number of callers", async () => {
    dir = mkdtempSync(join(tmpdir(), "records-"));
    const old = new Date(Date.now() - 120_000);
    const oldReceipt = async (id: string) => {
      await writeRecord(dir, record(id, { phase: "answered" }));
      utimesSync(recordPath(dir, id), old, old);
    };
    await oldReceipt("first");
    const now = Date.now();
    expect(await pruneReceipts(dir, 60_000, now, 300_000)).toBe(1);
    await oldReceipt("second");
    // Within the interval the records dir is not read: the old receipt stays.
    expect(await pruneReceipts(dir, 60_000, now + 299_000, 300_000)).toBe(0);
    expect(await readRecord(dir, "second")).toBeDefined();
    // Past it, the next caller prunes.
    expect(await pruneReceipts(dir, 60_000, now + 301_000, 300_000)).toBe(1);
    expect(await readRecord(dir, "second")).toBeUndefined();
  });

  it("read records kept before operations were recorded as finished failures with their state", async () => {
    dir = mkdtempSync(join(tmpdir(), "records-"));
    const { mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(join(dir, "pending"));
    writeFileSync(
      recordPath(dir, "L"),
      JSON.stringify({
        lineage: "L",
        type: "aws_s3_bucket",
        mode: "managed",
        providerAddress: "p",
        operation: "create",
        reason: "boom",
        savedAt: "2026-01-01T00:00:00Z",
        state: secretState,
      }),
    );
    const upgraded = await readRecord(dir, "L");
    expect(upgraded).toMatchObject({
      id: "L",
      phase: "finished",
      outcome: { result: "failed", changed: true, reason: "boom" },
    });
    expect(upgraded?.outcome?.state?.attributes.id).toBe("/x");
  });
});

describe("the planned actions of a record", () => {
  it("are noted before apply, only while the record is the operation's own", async () => {
    dir = mkdtempSync(join(tmpdir(), "records-"));
    await writeRecord(dir, record("a", { applying: "not yet" }));
    expect(await recordApplying({ stateDir: dir, id: "a", token: "other" }, ["replace"])).toBe(false);
    expect((await readRecord(dir, "a"))!.applying).toBe("not yet");
    expect(await recordApplying({ stateDir: dir, id: "a", token: "t" }, ["update"])).toBe(true);
    expect((await readRecord(dir, "a"))!.applying).toMatchObject({ actions: ["update"] });
  });
});
