// Protobuf handled at the wire level: the host never needs typed messages, only to keep or drop top-level fields
// and map entries of responses it forwards, so it walks tags and copies the raw bytes of what it keeps. That keeps
// unknown fields (newer protocol minor versions) intact and avoids decoding the 13 MB AWS schema into objects.
import protobuf from "protobufjs/minimal.js";

const { Reader, Writer } = protobuf;

export const WIRE_VARINT = 0;
export const WIRE_LENGTH_DELIMITED = 2;

export interface WireField {
  fieldNumber: number;
  wireType: number;
  /** The whole field as encoded (tag + value), ready to be copied into another message. */
  raw: Uint8Array;
  /** The payload of a length-delimited field (without tag and length); undefined for other wire types. */
  payload?: Uint8Array;
  /** The value of a varint field; undefined for other wire types. */
  varint?: number;
}

export function* fields(message: Uint8Array): Generator<WireField> {
  const reader = Reader.create(message);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const fieldNumber = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNumber === 0) throw new Error(`invalid protobuf field number 0 at byte ${start}`);
    if (wireType === WIRE_LENGTH_DELIMITED) {
      const length = reader.uint32();
      const payloadStart = reader.pos;
      reader.skip(length);
      yield {
        fieldNumber,
        wireType,
        raw: message.subarray(start, reader.pos),
        payload: message.subarray(payloadStart, reader.pos),
      };
    } else if (wireType === WIRE_VARINT) {
      const value = reader.uint64();
      yield {
        fieldNumber,
        wireType,
        raw: message.subarray(start, reader.pos),
        varint: typeof value === "number" ? value : Number((value as { toString(): string }).toString()),
      };
    } else {
      reader.skipType(wireType);
      yield { fieldNumber, wireType, raw: message.subarray(start, reader.pos) };
    }
  }
}

/** Keeps the top-level fields for which `keep` returns true, byte for byte, in their original order. */
export function filterFields(message: Uint8Array, keep: (field: WireField) => boolean): Buffer {
  const kept: Uint8Array[] = [];
  for (const field of fields(message)) if (keep(field)) kept.push(field.raw);
  return Buffer.concat(kept);
}

/** The payloads of every length-delimited occurrence of `fieldNumber` (repeated fields give several). */
export function payloadsOf(message: Uint8Array, fieldNumber: number): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (const field of fields(message)) {
    if (field.fieldNumber === fieldNumber && field.payload) found.push(field.payload);
  }
  return found;
}

export function varintOf(message: Uint8Array, fieldNumber: number): number | undefined {
  let value: number | undefined;
  for (const field of fields(message)) {
    if (field.fieldNumber === fieldNumber && field.varint !== undefined) value = field.varint;
  }
  return value;
}

/** A string field (e.g. the `key` = 1 of a map entry, or a `type_name` = 1) decoded as UTF-8. */
export function stringOf(message: Uint8Array, fieldNumber: number): string | undefined {
  const payloads = payloadsOf(message, fieldNumber);
  const last = payloads[payloads.length - 1];
  return last === undefined ? undefined : Buffer.from(last.buffer, last.byteOffset, last.byteLength).toString("utf8");
}

/** Encodes a message with a single varint field, for the tiny replies the host answers itself. */
export function encodeVarintField(fieldNumber: number, value: number): Buffer {
  return Buffer.from(
    Writer.create()
      .uint32((fieldNumber << 3) | WIRE_VARINT)
      .uint32(value)
      .finish(),
  );
}

/** Encodes a message with a single length-delimited field (bytes or an embedded message). */
export function encodeBytesField(fieldNumber: number, payload: Uint8Array): Buffer {
  return Buffer.from(
    Writer.create()
      .uint32((fieldNumber << 3) | WIRE_LENGTH_DELIMITED)
      .bytes(payload)
      .finish(),
  );
}
