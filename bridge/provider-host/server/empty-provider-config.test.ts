import protobuf from "protobufjs/minimal.js";
import { describe, expect, it } from "vitest";
import { emptyBlockValue, emptyConfigRequest } from "./empty-provider-config.js";
import { payloadsOf } from "./protobuf-wire.js";

const { Writer } = protobuf;

const attribute = (name: string) =>
  Writer.create()
    .uint32((1 << 3) | 2)
    .string(name)
    .uint32((2 << 3) | 2)
    .bytes(Buffer.from('"string"'))
    .finish();

/** A Schema.Block with the given attributes and nested blocks ([type_name, nesting, inner block]). */
function block(attributes: string[], nested: [string, number, Uint8Array?][] = []): Uint8Array {
  const w = Writer.create();
  for (const name of attributes) w.uint32((2 << 3) | 2).bytes(attribute(name));
  for (const [name, nesting, inner] of nested) {
    const n = Writer.create()
      .uint32((1 << 3) | 2)
      .string(name);
    if (inner) n.uint32((2 << 3) | 2).bytes(inner);
    n.uint32(3 << 3).uint32(nesting);
    w.uint32((3 << 3) | 2).bytes(n.finish());
  }
  return w.finish();
}

const str = (s: string) => [0xa0 | s.length, ...Buffer.from(s)];

describe("emptyBlockValue", () => {
  it("gives null attributes, empty list, set and map blocks, null single and empty group blocks (msgpack)", () => {
    const value = emptyBlockValue(
      block(
        ["region", "access_key"],
        [
          ["assume_role", 2, block(["role_arn"])],
          ["endpoints", 3, block(["s3"])],
          ["by_name", 4, block(["v"])],
          ["single", 1, block(["y"])],
          ["group", 5, block(["x"])],
        ],
      ),
    );
    expect([...value]).toEqual([
      0x87,
      ...str("region"),
      0xc0,
      ...str("access_key"),
      0xc0,
      ...str("assume_role"),
      0x90,
      ...str("endpoints"),
      0x90,
      ...str("by_name"),
      0x80,
      ...str("single"),
      0xc0,
      ...str("group"),
      0x81,
      ...str("x"),
      0xc0,
    ]);
  });

  it("uses the longer msgpack headers for 16 or more entries and names of 32 bytes or more", () => {
    const long = "a".repeat(40);
    const names = [long, ...Array.from({ length: 19 }, (_, i) => `attribute_${i}`)];
    const value = emptyBlockValue(block(names));
    expect([...value.subarray(0, 3)]).toEqual([0xde, 0x00, 20]);
    expect([...value.subarray(3, 5)]).toEqual([0xd9, 40]);
    expect(value.subarray(5, 45).toString()).toBe(long);
    expect(value[45]).toBe(0xc0);
    // map16 header, then str8 + 40 bytes + nil, ten fixstr names of 11 bytes + nil, nine of 12 bytes + nil.
    expect(value.length).toBe(3 + (2 + 40 + 1) + 10 * (1 + 11 + 1) + 9 * (1 + 12 + 1));
  });

  it("is an empty map for a block without attributes or blocks", () => {
    expect([...emptyBlockValue(new Uint8Array())]).toEqual([0x80]);
  });
});

describe("emptyConfigRequest", () => {
  it("wraps the provider block's empty value as the config's msgpack DynamicValue", () => {
    const providerBlock = block(["region"]);
    const schema = Writer.create()
      .uint32(1 << 3)
      .uint32(0)
      .uint32((2 << 3) | 2)
      .bytes(providerBlock)
      .finish();
    const response = Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(schema)
      .finish();
    const request = emptyConfigRequest(response)!;
    const [config] = payloadsOf(request, 1);
    const [msgpack] = payloadsOf(config!, 1);
    expect([...msgpack!]).toEqual([0x81, ...str("region"), 0xc0]);
  });

  it("is undefined when the answer holds no provider schema", () => {
    expect(emptyConfigRequest(new Uint8Array())).toBeUndefined();
  });
});
