import { decode, ExtensionCodec } from "@msgpack/msgpack";
import protobuf from "protobufjs/minimal.js";
import { describe, expect, it } from "vitest";
import { configRequests, emptyConfigRequest, UnpredictableRequest } from "./provider-config-requests.js";
import { payloadsOf } from "./protobuf-wire.js";

const { Writer } = protobuf;

/** A Schema.Attribute of cty type `type` (its JSON). */
const attribute = (name: string, type: unknown = "string") =>
  Writer.create()
    .uint32((1 << 3) | 2)
    .string(name)
    .uint32((2 << 3) | 2)
    .bytes(Buffer.from(JSON.stringify(type)))
    .finish();

type Attr = string | [string, unknown];

/** A Schema.Block with the given attributes and nested blocks ([type_name, nesting, inner block]). */
function block(attributes: Attr[], nested: [string, number, Uint8Array?][] = []): Uint8Array {
  const w = Writer.create();
  for (const a of attributes) w.uint32((2 << 3) | 2).bytes(typeof a === "string" ? attribute(a) : attribute(...a));
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

/** A GetProviderSchema answer whose provider block is `providerBlock`. */
function schemaResponse(providerBlock: Uint8Array): Uint8Array {
  const schema = Writer.create()
    .uint32(1 << 3)
    .uint32(0)
    .uint32((2 << 3) | 2)
    .bytes(providerBlock)
    .finish();
  return Writer.create()
    .uint32((1 << 3) | 2)
    .bytes(schema)
    .finish();
}

/** The msgpack of a request's config DynamicValue. */
function msgpackOf(request: Buffer): Uint8Array {
  const [config] = payloadsOf(request, 1);
  return payloadsOf(config!, 1)[0]!;
}

const UNKNOWN = Symbol("unknown");
const codec = new ExtensionCodec();
codec.register({ type: 0, encode: () => null, decode: () => UNKNOWN });
/** Decoded into objects, which keep the order of the (non-integer) map keys the engine's bytes depend on. */
const decoded = (request: Buffer) => decode(msgpackOf(request), { extensionCodec: codec }) as Record<string, unknown>;
const str = (s: string) => [0xa0 | s.length, ...Buffer.from(s)];

const aws = schemaResponse(
  block(
    [
      "region",
      "access_key",
      ["max_retries", "number"],
      ["s3_use_path_style", "bool"],
      ["allowed_account_ids", ["set", "string"]],
      ["retry_codes", ["list", "number"]],
    ],
    [
      ["endpoints", 3, block(["s3", "iam"])],
      ["default_tags", 2, block([["tags", ["map", "string"]]])],
      ["assume_role", 2, block(["role_arn", "session_name"])],
      ["single", 1, block(["y"])],
      ["group", 5, block(["x"])],
      ["by_name", 4, block(["v"])],
    ],
  ),
);

describe("configRequests", () => {
  it("gives the validation walk's request (credentials unknown) and the plan's, names in byte order", () => {
    const requests = configRequests(aws, { region: "us-east-1", access_key: "AKIA" }, [["access_key"]])!;
    expect(requests).toHaveLength(2);
    const [validation, plan] = requests.map(decoded);
    expect(Object.keys(plan!)).toEqual([
      "access_key",
      "allowed_account_ids",
      "assume_role",
      "by_name",
      "default_tags",
      "endpoints",
      "group",
      "max_retries",
      "region",
      "retry_codes",
      "s3_use_path_style",
      "single",
    ]);
    expect(plan!.access_key).toBe("AKIA");
    expect(validation!.access_key).toBe(UNKNOWN);
    // Unset: null attributes, empty list and set blocks, an empty map block, a null single block, an empty group.
    expect(plan!.max_retries).toBeNull();
    expect(plan!.endpoints).toEqual([]);
    expect(plan!.assume_role).toEqual([]);
    expect(plan!.by_name).toEqual({});
    expect(plan!.single).toBeNull();
    expect(plan!.group).toEqual({ x: null });
    // An unknown value is cty's: extension 0 holding one zero byte.
    expect(Buffer.from(msgpackOf(requests[0]!)).includes(Buffer.from([...str("access_key"), 0xd4, 0x00, 0x00]))).toBe(
      true,
    );
  });

  it("gives one request when nothing is a credential", () => {
    expect(configRequests(aws, { region: "eu-west-1" }, [])).toHaveLength(1);
  });

  it("encodes integers in their shortest form, sets of strings sorted and deduplicated, blocks as lists", () => {
    const [request] = configRequests(
      aws,
      {
        max_retries: 300,
        allowed_account_ids: ["b", "a", "b"],
        retry_codes: [-3, 5],
        s3_use_path_style: true,
        endpoints: { s3: "http://127.0.0.1:5000" },
        default_tags: [{ tags: { team: "x", env: "prod" } }],
        by_name: { second: { v: "2" }, first: { v: "1" } },
      },
      [],
    )!;
    const bytes = Buffer.from(msgpackOf(request!));
    expect(bytes.includes(Buffer.from([...str("max_retries"), 0xcd, 0x01, 0x2c]))).toBe(true);
    expect(bytes.includes(Buffer.from([...str("retry_codes"), 0x92, 0xfd, 0x05]))).toBe(true);
    expect(bytes.includes(Buffer.from([...str("s3_use_path_style"), 0xc3]))).toBe(true);
    const value = decoded(request!);
    expect(value.allowed_account_ids).toEqual(["a", "b"]);
    expect(value.endpoints).toEqual([{ iam: null, s3: "http://127.0.0.1:5000" }]);
    expect(Object.keys((value.endpoints as object[])[0]!)).toEqual(["iam", "s3"]);
    const [tags] = value.default_tags as { tags: Record<string, string> }[];
    expect(Object.keys(tags!.tags)).toEqual(["env", "team"]);
    expect(Object.keys(value.by_name as object)).toEqual(["first", "second"]);
  });

  it("writes strings in Unicode NFC, as cty holds them", () => {
    const [request] = configRequests(aws, { region: "e\u0301" }, [])!;
    expect(decoded(request!).region).toBe("\u00e9");
  });

  it("builds no request where the engine's bytes cannot be predicted", () => {
    const unpredictable: Record<string, unknown>[] = [
      // Terraform would convert these, or encode a non-integer as a float or a decimal string.
      { max_retries: "5" },
      { max_retries: 0.1 },
      { s3_use_path_style: "true" },
      { region: 5 },
      // The order of a set of several blocks depends on cty's hashing.
      { endpoints: [{ s3: "a" }, { s3: "b" }] },
      // An argument the schema does not have (the engine rejects it).
      { regoin: "us-east-1" },
      // Integer-like map keys: a JavaScript object would not keep them in order.
      { default_tags: { tags: { "10": "a", "9": "b" } } },
    ];
    for (const config of unpredictable) {
      expect(() => configRequests(aws, config, []), JSON.stringify(config)).toThrow(UnpredictableRequest);
    }
  });

  it("names the path and types, never a value, in the reason", () => {
    expect(() => configRequests(aws, { max_retries: "s3cr3t" }, [])).toThrow(/provider\.max_retries: "number"/);
    expect(() => configRequests(aws, { max_retries: "s3cr3t" }, [])).not.toThrow(/s3cr3t/);
  });

  it("is undefined when the answer holds no provider schema", () => {
    expect(configRequests(new Uint8Array(), {}, [])).toBeUndefined();
  });
});

describe("emptyConfigRequest", () => {
  it("is the configuration of a workspace without a provider block", () => {
    const request = emptyConfigRequest(schemaResponse(block(["region", "access_key"], [["assume_role", 2]])))!;
    expect([...msgpackOf(request)]).toEqual([
      0x83,
      ...str("access_key"),
      0xc0,
      ...str("assume_role"),
      0x90,
      ...str("region"),
      0xc0,
    ]);
  });

  it("uses the longer msgpack headers for 16 or more entries and names of 32 bytes or more", () => {
    const long = "a".repeat(40);
    const names = [long, ...Array.from({ length: 19 }, (_, i) => `attribute_${String(i).padStart(2, "0")}`)];
    const value = Buffer.from(msgpackOf(emptyConfigRequest(schemaResponse(block(names)))!));
    expect([...value.subarray(0, 3)]).toEqual([0xde, 0x00, 20]);
    expect([...value.subarray(3, 5)]).toEqual([0xd9, 40]);
    expect(value.subarray(5, 45).toString()).toBe(long);
    expect(value[45]).toBe(0xc0);
  });

  it("is undefined when the answer holds no provider schema", () => {
    expect(emptyConfigRequest(new Uint8Array())).toBeUndefined();
  });
});
