import protobuf from "protobufjs/minimal.js";
import { describe, expect, it } from "vitest";
import {
  encodeBytesField,
  encodeVarintField,
  fields,
  filterFields,
  payloadsOf,
  stringOf,
  varintOf,
} from "./protobuf-wire.js";

/** field 1: "a", field 2: varint 300, field 1 again: "bc", field 5: fixed64, field 3: nested { 1: "x" } */
function sample(): Uint8Array {
  const nested = protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .string("x")
    .finish();
  return protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .string("a")
    .uint32((2 << 3) | 0)
    .uint64(300)
    .uint32((1 << 3) | 2)
    .string("bc")
    .uint32((5 << 3) | 1)
    .fixed64(7)
    .uint32((3 << 3) | 2)
    .bytes(nested)
    .finish();
}

describe("protobuf at the wire level", () => {
  it("walks every field with its number, type and raw bytes", () => {
    const all = [...fields(sample())];
    expect(all.map((f) => [f.fieldNumber, f.wireType])).toEqual([
      [1, 2],
      [2, 0],
      [1, 2],
      [5, 1],
      [3, 2],
    ]);
    expect(Buffer.concat(all.map((f) => f.raw))).toEqual(Buffer.from(sample()));
    expect(all[1]!.varint).toBe(300);
  });

  it("reads repeated payloads, the last string and varint, and nested messages", () => {
    const message = sample();
    expect(payloadsOf(message, 1).map((p) => Buffer.from(p).toString())).toEqual(["a", "bc"]);
    expect(stringOf(message, 1)).toBe("bc");
    expect(stringOf(message, 9)).toBeUndefined();
    expect(varintOf(message, 2)).toBe(300);
    expect(stringOf(payloadsOf(message, 3)[0]!, 1)).toBe("x");
  });

  it("keeps chosen fields byte for byte and in order, unknown wire types included", () => {
    const kept = filterFields(sample(), (f) => f.fieldNumber !== 1);
    expect([...fields(kept)].map((f) => f.fieldNumber)).toEqual([2, 5, 3]);
    expect(varintOf(encodeVarintField(4, 123), 4)).toBe(123);
    expect([...encodeBytesField(1, Buffer.from([0x80]))]).toEqual([0x0a, 0x01, 0x80]);
    expect(stringOf(encodeBytesField(3, Buffer.from("x".repeat(200))), 3)).toBe("x".repeat(200));
  });

  it("refuses field number 0", () => {
    expect(() => [...fields(Uint8Array.from([0x02, 0x00]))]).toThrow(/field number 0/);
  });
});
