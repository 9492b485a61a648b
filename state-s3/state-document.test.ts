import { describe, expect, it } from "vitest";
import { LosslessNumber } from "../bridge/json/exact-json.js";
import {
  applyStatePatch,
  emptyState,
  foldEvents,
  initialEvent,
  parseStateEvent,
  PatchError,
} from "./state-document.js";

const meta = { time: "2026-12-01T00:00:00.000Z" };

describe("folding state patches", () => {
  it("folds events in order from {}, starting with the initial event state_file also writes", () => {
    const events = [
      initialEvent(meta),
      { index: 1, meta, patch: [{ op: "add", path: "/deployments/d", value: { deployments: {}, resources: {} } }] },
      {
        index: 2,
        meta,
        patch: [{ op: "add", path: "/deployments/d/resources/r", value: { type: "memo", input_properties: { n: 1 } } }],
      },
      { index: 3, meta, patch: [{ op: "replace", path: "/deployments/d/resources/r/input_properties/n", value: 2 }] },
    ];
    expect(foldEvents(events)).toEqual({
      _type: "nixopsState",
      resources: {},
      deployments: { d: { deployments: {}, resources: { r: { type: "memo", input_properties: { n: 2 } } } } },
    });
  });

  it("leaves the input document unchanged and keeps 64-bit integers exact", () => {
    const before = emptyState();
    const big = new LosslessNumber("12345678901234567890");
    const after = applyStatePatch(before, [{ op: "add", path: "/resources/r", value: { n: big } }]);
    expect(before).toEqual(emptyState());
    expect((after.resources as Record<string, { n: LosslessNumber }>).r!.n.value).toBe("12345678901234567890");
  });

  it("refuses a patch that does not apply, or that leaves no nixopsState document", () => {
    expect(() => applyStatePatch(emptyState(), [{ op: "replace", path: "/resources/missing/x", value: 1 }])).toThrow(
      PatchError,
    );
    expect(() => applyStatePatch(emptyState(), [{ op: "test", path: "/_type", value: "other" }])).toThrow(
      /operation 0/,
    );
    expect(() => applyStatePatch(emptyState(), [{ op: "remove", path: "/_type" }])).toThrow(/no nixopsState document/);
    expect(() => foldEvents([{ index: 1, meta, patch: [] }])).toThrow(/not contiguous/);
  });

  it("parses a stored event and refuses one without the required fields", () => {
    expect(parseStateEvent(JSON.stringify(initialEvent(meta)), "e").index).toBe(0);
    expect(() => parseStateEvent(JSON.stringify({ index: 0, patch: [] }), "s3://b/e")).toThrow(
      /s3:\/\/b\/e is not a NixOps4 state event/,
    );
  });
});
