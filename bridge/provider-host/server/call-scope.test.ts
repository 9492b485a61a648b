import { describe, expect, it } from "vitest";
import { CallScope } from "./call-scope.js";

describe("CallScope", () => {
  it("cancels the calls in flight at stop, not those that ended before or start after", () => {
    const scope = new CallScope();
    const cancelled: string[] = [];
    const endA = scope.track(() => cancelled.push("a"));
    scope.track(() => cancelled.push("b"));
    endA();
    expect(scope.size).toBe(1);
    expect(scope.stopped).toBe(false);
    expect(scope.stop()).toBe(1);
    expect(cancelled).toEqual(["b"]);
    expect(scope.stopped).toBe(true);
    scope.track(() => cancelled.push("c"));
    expect(cancelled).toEqual(["b"]);
    // A second stop (one per provider instance of the engine) cancels what is in flight then, once each.
    expect(scope.stop()).toBe(1);
    expect(scope.stop()).toBe(0);
    expect(cancelled).toEqual(["b", "c"]);
  });
});
