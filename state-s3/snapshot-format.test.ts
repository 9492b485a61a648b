import { describe, expect, it } from "vitest";
import { emptyState, initialEvent } from "./state-document.js";
import { parseSnapshot, SNAPSHOT_TYPE } from "./snapshot-format.js";

describe("parseSnapshot", () => {
  it("reads a snapshot this provider wrote", () => {
    const snapshot = { _type: SNAPSHOT_TYPE, index: 0, state: emptyState(), events: [initialEvent({ time: "t" })] };
    expect(parseSnapshot(JSON.stringify(snapshot), "s3://b/k")).toEqual(snapshot);
  });

  it("refuses anything else, naming the location", () => {
    expect(() => parseSnapshot("{", "s3://b/k")).toThrow(/s3:\/\/b\/k is not valid JSON/);
    expect(() => parseSnapshot(JSON.stringify(emptyState()), "s3://b/k")).toThrow(
      /not a state snapshot of nixops4-state-s3/,
    );
    const ahead = {
      _type: SNAPSHOT_TYPE,
      index: 0,
      state: emptyState(),
      events: [{ index: 1, meta: { time: "t" }, patch: [] }],
    };
    expect(() => parseSnapshot(JSON.stringify(ahead), "s3://b/k")).toThrow(/beyond its own index 0/);
  });
});
