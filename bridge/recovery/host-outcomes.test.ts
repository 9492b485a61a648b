import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acceptOnHost, applyingOnHost, recordOnHost } from "./host-outcomes.js";
import { readRecord, writeRecord } from "./operation-records.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pending = () => ({ lineage: "L", operation: "update", stateDir: dir, id: "r", token: "t" });

async function running() {
  dir = mkdtempSync(join(tmpdir(), "host-outcomes-"));
  await writeRecord(dir, {
    id: "r",
    lineage: "L",
    type: "aws_s3_bucket",
    mode: "managed",
    providerAddress: "p",
    operation: "update",
    inputsHash: "H",
    token: "t",
    phase: "running",
    handedOver: "host",
    applying: "not yet",
    startedAt: new Date().toISOString(),
    bridge: { pid: 1 },
  });
}

describe("the host's writes to a record", () => {
  it("started together (the acceptance, the planned actions, the outcome) each keep what the others wrote", async () => {
    await running();
    await Promise.all([
      acceptOnHost(pending()),
      applyingOnHost(pending(), ["update"]),
      recordOnHost(pending(), { kind: "done", state: undefined, actions: ["update"] }),
    ]);
    const record = (await readRecord(dir, "r"))!;
    expect(record.host).toMatchObject({ pid: process.pid, accepted: true });
    expect(record.applying).toMatchObject({ actions: ["update"] });
    expect(record.outcome).toMatchObject({ result: "succeeded", changed: true });
  });
  it("never touch a record another operation took over", async () => {
    await running();
    expect(await applyingOnHost({ ...pending(), token: "other" }, ["replace"])).toBe(false);
    expect((await readRecord(dir, "r"))!.applying).toBe("not yet");
  });
});
