import { describe, expect, it } from "vitest";
import { LosslessNumber, parseExact, stringifyExact, toPlainJson } from "./exact-json.js";

describe("exact JSON", () => {
  it("keeps integers beyond 2^53 exact through a round trip", () => {
    const text = '{"a":9007199254740993,"b":[1,2.5,-18446744073709551615]}';
    const value = parseExact(text) as { a: unknown };
    expect(value.a).toBeInstanceOf(LosslessNumber);
    expect(stringifyExact(value)).toBe(text);
  });

  it("parses safe numbers as plain numbers", () => {
    expect(parseExact('{"n":42,"f":0.5}')).toEqual({ n: 42, f: 0.5 });
  });

  it("gives validators plain numbers", () => {
    expect(toPlainJson(parseExact('{"x":[9007199254740993]}'))).toEqual({ x: [9007199254740993] });
  });
});
