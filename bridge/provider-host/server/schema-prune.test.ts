import protobuf from "protobufjs/minimal.js";
import { describe, expect, it } from "vitest";
import {
  hasErrorDiagnostic,
  mapKeys,
  pruneIdentitySchemas,
  pruneProviderSchema,
  RegisteredTypes,
} from "./schema-prune.js";

const { Writer } = protobuf;

function bytesField(writer: protobuf.Writer, field: number, payload: Uint8Array): protobuf.Writer {
  return writer.uint32((field << 3) | 2).bytes(payload);
}

function stringField(writer: protobuf.Writer, field: number, value: string): protobuf.Writer {
  return writer.uint32((field << 3) | 2).string(value);
}

function mapEntry(key: string, value: Uint8Array): Uint8Array {
  return bytesField(stringField(Writer.create(), 1, key), 2, value).finish();
}

const schemaBody = (marker: string) => stringField(Writer.create(), 4, marker).finish();

/** A GetProviderSchema.Response with every kind of field the pruner treats differently, plus an unknown one. */
function schemaResponse(): Uint8Array {
  const w = Writer.create();
  bytesField(w, 1, schemaBody("provider"));
  for (const t of ["aws_iam_user", "aws_s3_bucket", "aws_instance"]) bytesField(w, 2, mapEntry(t, schemaBody(t)));
  for (const t of ["aws_caller_identity", "aws_region"]) bytesField(w, 3, mapEntry(t, schemaBody(t)));
  bytesField(w, 5, schemaBody("provider_meta"));
  bytesField(
    w,
    6,
    Writer.create()
      .uint32((1 << 3) | 0)
      .uint32(1)
      .finish(),
  ); // plan_destroy = true
  bytesField(w, 7, mapEntry("arn_parse", schemaBody("function")));
  bytesField(w, 8, mapEntry("aws_kms_secrets", schemaBody("ephemeral")));
  bytesField(w, 99, schemaBody("a field from a newer protocol minor version"));
  return w.finish();
}

function fieldNumbers(message: Uint8Array): number[] {
  const reader = protobuf.Reader.create(message);
  const numbers: number[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    numbers.push(tag >>> 3);
    reader.skipType(tag & 7);
  }
  return numbers;
}

describe("schema pruning", () => {
  it("keeps provider, provider_meta, capabilities, functions, unknown fields and only registered types", () => {
    const types = new RegisteredTypes();
    types.register(["aws_s3_bucket"], ["aws_region"]);
    const pruned = pruneProviderSchema(schemaResponse(), types);
    expect(mapKeys(pruned, 2)).toEqual(["aws_s3_bucket"]);
    expect(mapKeys(pruned, 3)).toEqual(["aws_region"]);
    expect(mapKeys(pruned, 7)).toEqual(["arn_parse"]);
    expect(mapKeys(pruned, 8)).toEqual([]);
    expect(fieldNumbers(pruned)).toEqual([1, 2, 3, 5, 6, 7, 99]);
  });

  it("keeps kept entries byte for byte", () => {
    const types = new RegisteredTypes();
    types.register(["aws_iam_user", "aws_instance"], []);
    const pruned = pruneProviderSchema(schemaResponse(), types);
    const original = Buffer.from(schemaResponse());
    const entry = Buffer.from(mapEntry("aws_instance", schemaBody("aws_instance")));
    expect(original.includes(entry)).toBe(true);
    expect(pruned.includes(entry)).toBe(true);
    expect(mapKeys(pruned, 2)).toEqual(["aws_iam_user", "aws_instance"]);
  });

  it("prunes identity schemas to the registered resource types", () => {
    const types = new RegisteredTypes();
    types.register(["aws_iam_user"], ["aws_region"]);
    const identities = Writer.create();
    bytesField(identities, 1, mapEntry("aws_iam_user", schemaBody("id")));
    bytesField(identities, 1, mapEntry("aws_instance", schemaBody("id")));
    expect(mapKeys(pruneIdentitySchemas(identities.finish(), types), 1)).toEqual(["aws_iam_user"]);
  });

  it("counts a generation per newly registered type only", () => {
    const types = new RegisteredTypes();
    types.register(["a"], ["b"]);
    const generation = types.generation;
    types.register(["a"], ["b"]);
    expect(types.generation).toBe(generation);
    types.register(["c"], []);
    expect(types.generation).toBe(generation + 1);
  });

  it("recognises error diagnostics", () => {
    const diagnostic = (severity: number) =>
      Writer.create()
        .uint32((1 << 3) | 0)
        .uint32(severity)
        .finish();
    const warningOnly = bytesField(Writer.create(), 1, diagnostic(2)).finish();
    const withError = bytesField(bytesField(Writer.create(), 1, diagnostic(2)), 1, diagnostic(1)).finish();
    expect(hasErrorDiagnostic(warningOnly, 1)).toBe(false);
    expect(hasErrorDiagnostic(withError, 1)).toBe(true);
    expect(hasErrorDiagnostic(new Uint8Array(), 1)).toBe(false);
  });
});
