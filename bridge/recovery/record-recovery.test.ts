import { describe, expect, it } from "vitest";
import type { OperationRecord } from "./operation-records.js";
import { continuationOf, HANDOVER_GRACE_MS, safeToRerun } from "./record-recovery.js";
import type { ResourceState } from "../workspace/tfstate.js";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const state = (lineage: string, serial: number): ResourceState => ({
  record: {
    format: 1,
    mode: "managed",
    type: "aws_s3_bucket",
    providerAddress: "p",
    providerVersion: "1",
    lineage,
    serial,
    instance: {},
  },
  attributes: { id: "b" },
});
const base = (extra: Partial<OperationRecord> = {}): OperationRecord => ({
  id: "id",
  lineage: "L",
  type: "aws_s3_bucket",
  mode: "managed",
  providerAddress: "p",
  operation: "create",
  inputsHash: "H",
  token: "t",
  phase: "running",
  startedAt: new Date(NOW - 60_000).toISOString(),
  bridge: { pid: 10, start: "1" },
  ...extra,
});
const finished = (outcome: Partial<NonNullable<OperationRecord["outcome"]>>, extra: Partial<OperationRecord> = {}) =>
  base({
    phase: "finished",
    outcome: { result: "failed", changed: true, reason: "boom\nmore", at: "t", ...outcome },
    ...extra,
  });
const create = { operation: "create" as const, inputsHash: "H" };
const alive = (pids: number[]) => (identity: { pid: number }) => pids.includes(identity.pid);

describe("a running record", () => {
  it("is waited for while its bridge lives", () => {
    expect(continuationOf(base(), create, alive([10]), NOW)).toEqual({ kind: "wait", owners: ["bridge pid 10"] });
  });
  it("is waited for while the host that took it lives, though its bridge died", () => {
    const record = base({ host: { pid: 20, start: "2", accepted: true } });
    expect(continuationOf(record, create, alive([20]), NOW).kind).toBe("wait");
  });
  it("is waited for briefly when handed to a live host that has not taken it yet, then is unknown", () => {
    const young = base({ host: { pid: 20 }, startedAt: new Date(NOW - 1000).toISOString() });
    expect(continuationOf(young, create, alive([20]), NOW).kind).toBe("wait");
    const old = base({ host: { pid: 20 }, startedAt: new Date(NOW - HANDOVER_GRACE_MS - 1).toISOString() });
    expect(continuationOf(old, create, alive([20]), NOW).kind).toBe("unknown");
  });
  it("is unknown once every owner is dead, naming them", () => {
    const c = continuationOf(base({ host: { pid: 20, accepted: true } }), create, alive([]), NOW);
    expect(c.kind).toBe("unknown");
    expect(c.kind === "unknown" && c.why).toMatch(
      /bridge \(pid 10\) and provider host \(pid 20\) stopped while it ran/,
    );
  });
  it("whose bridge died before it handed the operation to any engine changed nothing: a fresh start", () => {
    expect(continuationOf(base({ handedOver: "none" }), create, alive([]), NOW)).toEqual({ kind: "fresh" });
  });
  it("whose bridge died after handing it to its own engine is unknown", () => {
    const c = continuationOf(base({ handedOver: "local" }), create, alive([]), NOW);
    expect(c.kind === "unknown" && c.why).toMatch(/bridge \(pid 10\) stopped while it ran and recorded no outcome/);
  });
  it("of a create with other inputs is foreign, not guessed at", () => {
    expect(continuationOf(base(), { operation: "create", inputsHash: "other" }, alive([]), NOW).kind).toBe("foreign");
  });
});

describe("a finished record", () => {
  it("with a state is adopted", () => {
    const c = continuationOf(finished({ result: "succeeded", state: state("L", 1) }), create, alive([]), NOW);
    expect(c.kind).toBe("adopt");
  });
  it("with a state older than the caller's is not adopted by an update", () => {
    const c = continuationOf(
      finished({ state: state("L", 1) }),
      { operation: "update", inputsHash: "x", known: state("L", 3) },
      alive([]),
      NOW,
    );
    expect(c).toEqual({ kind: "fresh" });
  });
  it("of another lineage is foreign to an update", () => {
    const c = continuationOf(
      finished({ state: state("L", 1) }),
      { operation: "update", inputsHash: "x", known: state("M", 3) },
      alive([]),
      NOW,
    );
    expect(c.kind).toBe("foreign");
  });
  it("of a create with other inputs is foreign", () => {
    const c = continuationOf(
      finished({ state: state("L", 1) }),
      { operation: "create", inputsHash: "other" },
      alive([]),
      NOW,
    );
    expect(c.kind).toBe("foreign");
  });
  it("of a create that failed without state is retried by looking for the object", () => {
    expect(continuationOf(finished({}), create, alive([]), NOW).kind).toBe("failed-create");
  });
  it("whose outcome nobody knows stays unknown", () => {
    expect(continuationOf(finished({ changed: "unknown" }), create, alive([]), NOW).kind).toBe("unknown");
  });
  it("of a finished destroy says the object is gone", () => {
    expect(
      continuationOf(
        finished({ result: "succeeded" }, { operation: "destroy" }),
        { operation: "destroy", inputsHash: "H" },
        alive([]),
        NOW,
      ).kind,
    ).toBe("destroyed");
  });
  it("that changed nothing is nothing to continue from", () => {
    expect(continuationOf(finished({ changed: false }), create, alive([]), NOW)).toEqual({ kind: "fresh" });
  });
});

describe("a receipt of an answered create", () => {
  const answered = (at: number, extra: Partial<OperationRecord> = {}) =>
    base({
      phase: "answered",
      configHash: "C",
      outcome: {
        result: "succeeded",
        changed: true,
        state: state("L", 1),
        reason: "ok",
        at: new Date(at).toISOString(),
      },
      ...extra,
    });
  it("answers the same create again, under the same provider configuration, for a while", () => {
    expect(continuationOf(answered(NOW - 1000), { ...create, configHash: "C" }, alive([]), NOW).kind).toBe("adopt");
    expect(continuationOf(answered(NOW - 1000), { ...create, configHash: "D" }, alive([]), NOW).kind).toBe("fresh");
    expect(
      continuationOf(answered(NOW - 2 * 60 * 60 * 1000), { ...create, configHash: "C" }, alive([]), NOW).kind,
    ).toBe("fresh");
  });
  it("is nothing to a create with other inputs, or to an update", () => {
    expect(
      continuationOf(
        answered(NOW - 1000),
        { operation: "create", inputsHash: "other", configHash: "C" },
        alive([]),
        NOW,
      ).kind,
    ).toBe("fresh");
    expect(
      continuationOf(
        answered(NOW - 1000),
        { operation: "update", inputsHash: "H", configHash: "C", known: state("L", 2) },
        alive([]),
        NOW,
      ).kind,
    ).toBe("fresh");
  });
});

describe("an unknown outcome, by what the engine had planned", () => {
  const applying = (...actions: string[]) => ({ actions, at: "t" });
  const dead = (extra: Partial<OperationRecord>) => base({ handedOver: "local", ...extra });
  const updateNow = { operation: "update" as const, inputsHash: "x", known: state("L", 2) };
  const destroyNow = { operation: "destroy" as const, inputsHash: "x", known: state("L", 2) };

  it("of an engine that had only planned changed nothing: a fresh start", () => {
    const c = continuationOf(dead({ operation: "update", applying: "not yet" }), updateNow, alive([]), NOW);
    expect(c).toEqual({ kind: "fresh" });
  });
  it("of a host that lost its engine while planning changed nothing either", () => {
    const record = finished({ changed: "unknown" }, { operation: "update", applying: "not yet" });
    expect(continuationOf(record, updateNow, alive([]), NOW)).toEqual({ kind: "fresh" });
  });
  it("of an attempt that changed nothing leaves what it took over standing", () => {
    const previous = { result: "failed" as const, changed: "unknown" as const, reason: "host died", at: "t" };
    const record = dead({ applying: "not yet", previous });
    const c = continuationOf(record, create, alive([]), NOW);
    expect(c.kind).toBe("unknown");
    expect(c.kind === "unknown" && c.why).toMatch(/host died/);
  });
  it("of an update planned in place is run again from the state NixOps4 holds, by an update or a destroy", () => {
    for (const actions of [["update"], []]) {
      const record = dead({ operation: "update", applying: applying(...actions) });
      const c = continuationOf(record, updateNow, alive([]), NOW);
      expect(c.kind).toBe("rerun");
      expect(c.kind === "rerun" && c.why).toMatch(actions.length ? /its plan: update/ : /its plan: no changes/);
      expect(continuationOf(record, destroyNow, alive([]), NOW).kind).toBe("rerun");
    }
  });
  it("of an update that planned a replacement (a new object) is refused by an update and a destroy", () => {
    const record = dead({ operation: "update", applying: applying("replace") });
    const c = continuationOf(record, updateNow, alive([]), NOW);
    expect(c.kind).toBe("unknown");
    expect(c.kind === "unknown" && c.why).toMatch(/its plan: replace/);
    expect(continuationOf(record, destroyNow, alive([]), NOW).kind).toBe("unknown");
  });
  it("of an update whose plan nobody recorded (an older bridge's record) stays unknown", () => {
    const c = continuationOf(dead({ operation: "update" }), updateNow, alive([]), NOW);
    expect(c.kind === "unknown" && c.why).toMatch(/its plan was not recorded/);
  });
  it("of a destroy is run again by a destroy, planned or not", () => {
    for (const extra of [{ applying: applying("delete") }, {}]) {
      const record = dead({ operation: "destroy", ...extra });
      expect(continuationOf(record, destroyNow, alive([]), NOW).kind).toBe("rerun");
    }
  });
  it("is never run again by a create: it may make a second object", () => {
    expect(continuationOf(dead({ operation: "destroy" }), create, alive([]), NOW).kind).toBe("unknown");
    expect(continuationOf(dead({ applying: applying("create") }), create, alive([]), NOW).kind).toBe("unknown");
  });
  it("with a kept state is adopted when the plan made no object, and not when it did", () => {
    const kept = (...actions: string[]) =>
      finished({ changed: "unknown", state: state("L", 2) }, { operation: "update", applying: applying(...actions) });
    expect(continuationOf(kept("update"), updateNow, alive([]), NOW).kind).toBe("adopt");
    // The state names the object before the replacement; the replacement may exist, recorded nowhere.
    expect(continuationOf(kept("replace"), updateNow, alive([]), NOW).kind).toBe("unknown");
    expect(continuationOf(kept("create"), create, alive([]), NOW).kind).toBe("unknown");
  });
});

describe("safeToRerun", () => {
  const rec = (operation: OperationRecord["operation"], applying?: OperationRecord["applying"]) =>
    base({ operation, applying });
  it("holds for destroys and for updates planned in place only", () => {
    expect(safeToRerun(rec("destroy"))).toBe(true);
    expect(safeToRerun(rec("update", { actions: ["update"], at: "t" }))).toBe(true);
    expect(safeToRerun(rec("update", { actions: ["update", "replace"], at: "t" }))).toBe(false);
    expect(safeToRerun(rec("update", { actions: ["delete"], at: "t" }))).toBe(false);
    expect(safeToRerun(rec("update", "not yet"))).toBe(false);
    expect(safeToRerun(rec("update"))).toBe(false);
    expect(safeToRerun(rec("create", { actions: ["create"], at: "t" }))).toBe(false);
  });
});
