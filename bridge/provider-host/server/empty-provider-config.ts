// The provider configuration Terraform sends for a workspace without a provider block, built from the provider's
// own schema: every attribute null, list and set blocks empty, map blocks empty, single blocks null, group blocks
// their own empty value (configschema's EmptyValue). The host validates it once at start (grpc-proxy.ts,
// warmUpValidation), a request every provider must already accept, so that the provider's one-time cost of its
// first validation is paid before an engine waits for it.
//
// Encoded as msgpack the way cty does: a map of attribute and block names. Only nil, empty arrays, maps and
// strings are needed, so the few encodings are written out here.
import { encodeBytesField, payloadsOf, stringOf, varintOf } from "./protobuf-wire.js";
import { DYNAMIC_VALUE, SCHEMA_RESPONSE, VALIDATE_CONFIG_REQUEST } from "./plugin-protocol.js";

/** tfplugin5/6 Schema: block = 2; Schema.Block: attributes = 2, block_types = 3; Attribute / NestedBlock: name or
 * type_name = 1; NestedBlock: block = 2, nesting = 3 (SINGLE 1, LIST 2, SET 3, MAP 4, GROUP 5). */
const SCHEMA = { block: 2 } as const;
const BLOCK = { attributes: 2, blockTypes: 3 } as const;
const NESTED_BLOCK = { typeName: 1, block: 2, nesting: 3 } as const;
const NESTING = { single: 1, list: 2, set: 3, map: 4, group: 5 } as const;

const NIL = Buffer.from([0xc0]);
const EMPTY_ARRAY = Buffer.from([0x90]);
const EMPTY_MAP = Buffer.from([0x80]);

function msgpackString(value: string): Buffer {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length < 32) return Buffer.concat([Buffer.from([0xa0 | bytes.length]), bytes]);
  if (bytes.length < 0x100) return Buffer.concat([Buffer.from([0xd9, bytes.length]), bytes]);
  const header = Buffer.alloc(3);
  header.writeUInt8(0xda, 0);
  header.writeUInt16BE(bytes.length, 1);
  return Buffer.concat([header, bytes]);
}

function msgpackMapHeader(size: number): Buffer {
  if (size < 16) return Buffer.from([0x80 | size]);
  const header = Buffer.alloc(3);
  header.writeUInt8(0xde, 0);
  header.writeUInt16BE(size, 1);
  return header;
}

/** A Schema.Block's empty value, msgpack-encoded. */
export function emptyBlockValue(block: Uint8Array): Buffer {
  const entries: Buffer[] = [];
  for (const attribute of payloadsOf(block, BLOCK.attributes)) {
    const name = stringOf(attribute, 1);
    if (name !== undefined) entries.push(msgpackString(name), NIL);
  }
  for (const nested of payloadsOf(block, BLOCK.blockTypes)) {
    const name = stringOf(nested, NESTED_BLOCK.typeName);
    if (name === undefined) continue;
    const nesting = varintOf(nested, NESTED_BLOCK.nesting);
    const inner = payloadsOf(nested, NESTED_BLOCK.block)[0] ?? new Uint8Array();
    const value =
      nesting === NESTING.list || nesting === NESTING.set
        ? EMPTY_ARRAY
        : nesting === NESTING.map
          ? EMPTY_MAP
          : nesting === NESTING.group
            ? emptyBlockValue(inner)
            : NIL;
    entries.push(msgpackString(name), value);
  }
  return Buffer.concat([msgpackMapHeader(entries.length / 2), ...entries]);
}

/** ValidateProviderConfig / PrepareProviderConfig request bytes for the empty configuration, from the full
 * GetSchema answer; undefined when the answer holds no provider schema. */
export function emptyConfigRequest(schemaResponse: Uint8Array): Buffer | undefined {
  const provider = payloadsOf(schemaResponse, SCHEMA_RESPONSE.provider)[0];
  if (!provider) return undefined;
  const block = payloadsOf(provider, SCHEMA.block)[0] ?? new Uint8Array();
  const value = encodeBytesField(DYNAMIC_VALUE.msgpack, emptyBlockValue(block));
  return encodeBytesField(VALIDATE_CONFIG_REQUEST.config, value);
}
