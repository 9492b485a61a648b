import { describe, expect, it } from "vitest";
import { canonicalHash } from "./canonical-json.js";
import { parseExact } from "./exact-json.js";

describe("canonicalHash", () => {
  it("does not depend on key order, at any depth", () => {
    expect(canonicalHash({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(
      canonicalHash({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    );
  });

  it("tells apart values that differ, in a list's order too", () => {
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: 2 }));
    expect(canonicalHash([1, 2])).not.toBe(canonicalHash([2, 1]));
    expect(canonicalHash({ a: "1" })).not.toBe(canonicalHash({ a: 1 }));
  });

  it("hashes an exact number as its digits, so numbers beyond 2^53 stay apart", () => {
    const big = parseExact('{"n": 9007199254740993}');
    const near = parseExact('{"n": 9007199254740992}');
    expect(canonicalHash(big)).not.toBe(canonicalHash(near));
    expect(canonicalHash(parseExact('{"n": 5, "m": 1}'))).toBe(canonicalHash({ m: 1, n: 5 }));
    expect(canonicalHash({})).toMatch(/^[0-9a-f]{64}$/);
  });
});
