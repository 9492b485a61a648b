import { describe, expect, it } from "vitest";
import { historyIndexOf, historyKey, lockKey } from "./state-layout.js";

const location = { bucket: "b", key: "team/state.json", forcePathStyle: false };

describe("state layout", () => {
  it("puts the lock and the history beside the key, history names sorting by index", () => {
    expect(lockKey(location)).toBe("team/state.json.lock");
    expect(historyKey(location, 12)).toBe("team/state.json.history/0000000012.json");
    expect(historyKey(location, 9) < historyKey(location, 10)).toBe(true);
  });

  it("reads the index back from a history key and ignores anything else", () => {
    expect(historyIndexOf(location, historyKey(location, 7))).toBe(7);
    expect(historyIndexOf(location, "team/state.json.history/notes.txt")).toBeUndefined();
    expect(historyIndexOf(location, "other/state.json.history/0000000001.json")).toBeUndefined();
  });
});
