// The provider configuration requests (ValidateProviderConfig, PrepareProviderConfig in protocol 5) an engine sends
// first, rebuilt in the host byte for byte from the provider's schema and the configuration the bridges hand over,
// so that the host's provider can answer them while the engine is still starting (grpc-proxy.ts,
// warmUpValidation). The AWS provider takes 0.1-0.35 s for each configuration it has not validated yet, and a cold
// host's first engine run sends two: its validation walk (each credential an unknown value: the workspace passes
// credentials as ephemeral variables, provider-credentials.ts) and its plan (every value known). The proxy answers
// identical request bytes once, so a request built here is only worth anything if it is exactly the engine's.
//
// Terraform sends the configuration as a cty value of the provider block's type, msgpack-encoded: an object of
// every attribute and block type in name order; unset attributes null, absent list and set blocks empty, map
// blocks an empty map, single blocks null, group blocks their own empty value; strings in Unicode NFC; integral
// numbers as the shortest msgpack integer; unknown values as extension 0 holding one zero byte. Where the engine's
// bytes cannot be predicted with certainty (a value Terraform would convert, a number that is not a plain
// integer, a set whose element order depends on cty's hashing, a dynamic or tuple type) no request is built: the
// engine's own request is then the first, as without a warm-up.
import { encode, ExtensionCodec } from "@msgpack/msgpack";
import type { ConfigPath } from "../../workspace/provider-credentials.js";
import { splitProviderConfig } from "../../workspace/provider-credentials.js";
import { VariableReference } from "../../workspace/terraform-json.js";
import { encodeBytesField, payloadsOf, stringOf, varintOf } from "./protobuf-wire.js";
import { DYNAMIC_VALUE, SCHEMA_RESPONSE, VALIDATE_CONFIG_REQUEST } from "./plugin-protocol.js";

/** tfplugin5/6 Schema: block = 2; Schema.Block: attributes = 2, block_types = 3; Attribute: name = 1, type = 2
 * (cty type JSON), nested_type = 10 (protocol 6); NestedBlock: type_name = 1, block = 2, nesting = 3. */
const SCHEMA = { block: 2 } as const;
const BLOCK = { attributes: 2, blockTypes: 3 } as const;
const ATTRIBUTE = { name: 1, type: 2, nestedType: 10 } as const;
const NESTED_BLOCK = { typeName: 1, block: 2, nesting: 3 } as const;
const NESTING = { single: 1, list: 2, set: 3, map: 4, group: 5 } as const;

/** Why the engine's request cannot be predicted for this configuration. */
export class UnpredictableRequest extends Error {}

/** Where the engine would send an unknown value. */
const UNKNOWN = Symbol("unknown");
const extensions = new ExtensionCodec();
extensions.register({
  type: 0,
  encode: (value) => (value === UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});

interface BlockSchema {
  attributes: Map<string, { type: unknown; nested: boolean }>;
  blocks: Map<string, { nesting: number; block: BlockSchema }>;
}

function readBlock(bytes: Uint8Array): BlockSchema {
  const schema: BlockSchema = { attributes: new Map(), blocks: new Map() };
  for (const attribute of payloadsOf(bytes, BLOCK.attributes)) {
    const name = stringOf(attribute, ATTRIBUTE.name);
    if (name === undefined) continue;
    const typeJson = stringOf(attribute, ATTRIBUTE.type);
    const nested = payloadsOf(attribute, ATTRIBUTE.nestedType).length > 0;
    schema.attributes.set(name, { type: typeJson ? (JSON.parse(typeJson) as unknown) : undefined, nested });
  }
  for (const nested of payloadsOf(bytes, BLOCK.blockTypes)) {
    const name = stringOf(nested, NESTED_BLOCK.typeName);
    if (name === undefined) continue;
    const inner = payloadsOf(nested, NESTED_BLOCK.block)[0] ?? new Uint8Array();
    schema.blocks.set(name, { nesting: varintOf(nested, NESTED_BLOCK.nesting) ?? 0, block: readBlock(inner) });
  }
  return schema;
}

/** Go's sort.Strings order: by UTF-8 bytes. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && value.constructor === Object;
}

/** A JavaScript object keeps integer-like keys first whatever the insertion order: such a map is not encoded. */
const INTEGER_KEY = /^(0|[1-9]\d*)$/;

/** An object whose keys the encoder writes in this order. */
function ordered(entries: [string, unknown][], where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries.sort(([a], [b]) => byBytes(a, b))) {
    if (INTEGER_KEY.test(key)) throw new UnpredictableRequest(`${where}: key "${key}"`);
    out[key] = value;
  }
  return out;
}

const PRIMITIVES = new Set(["string", "number", "bool"]);

function typedValue(type: unknown, value: unknown, where: string): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof VariableReference) {
    if (type !== "string") throw new UnpredictableRequest(`${where}: a credential in a ${JSON.stringify(type)}`);
    return UNKNOWN;
  }
  if (type === "string" && typeof value === "string") return value.normalize("NFC");
  if (type === "bool" && typeof value === "boolean") return value;
  // A safe integer is encoded the same by cty and here; any other number may be a float or a decimal string.
  if (type === "number" && typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (Array.isArray(type) && type.length === 2) {
    const [kind, inner] = type as [unknown, unknown];
    if ((kind === "list" || kind === "set") && Array.isArray(value)) {
      const items = value.map((item, i) => typedValue(inner, item, `${where}[${i}]`));
      if (kind === "list") return items;
      return setElements(inner, items, where);
    }
    if (kind === "map" && isPlainObject(value)) {
      return ordered(
        Object.entries(value).map(([key, item]) => [key.normalize("NFC"), typedValue(inner, item, `${where}.${key}`)]),
        where,
      );
    }
    if (kind === "object" && isPlainObject(value) && isPlainObject(inner)) {
      const names = Object.keys(inner);
      if (Object.keys(value).some((key) => !(key in inner)) || names.some((name) => !(name in value))) {
        throw new UnpredictableRequest(`${where}: not exactly the object's attributes`);
      }
      return ordered(
        names.map((name) => [name, typedValue(inner[name], value[name], `${where}.${name}`)]),
        where,
      );
    }
  }
  throw new UnpredictableRequest(`${where}: ${JSON.stringify(type)} from a ${typeof value}`);
}

/** cty iterates a set of strings, numbers or bools in their own order; others by hash, predictable only alone. */
function setElements(type: unknown, items: unknown[], where: string): unknown[] {
  if (items.length <= 1) return items;
  if (typeof type !== "string" || !PRIMITIVES.has(type) || items.some((item) => item === null || item === UNKNOWN)) {
    throw new UnpredictableRequest(`${where}: a set of ${items.length} ${JSON.stringify(type)} values`);
  }
  const unique = [...new Set(items)];
  if (type === "string") return (unique as string[]).sort(byBytes);
  if (type === "number") return (unique as number[]).sort((a, b) => a - b);
  return (unique as boolean[]).sort((a, b) => Number(a) - Number(b));
}

function blockValue(schema: BlockSchema, body: unknown, where: string): Record<string, unknown> {
  if (!isPlainObject(body)) throw new UnpredictableRequest(`${where}: not an object`);
  for (const key of Object.keys(body)) {
    if (!schema.attributes.has(key) && !schema.blocks.has(key)) throw new UnpredictableRequest(`${where}.${key}`);
  }
  const entries: [string, unknown][] = [];
  for (const [name, attribute] of schema.attributes) {
    const path = `${where}.${name}`;
    if (attribute.nested && body[name] !== undefined) throw new UnpredictableRequest(`${path}: a nested attribute`);
    entries.push([name, typedValue(attribute.type, body[name], path)]);
  }
  for (const [name, nested] of schema.blocks) entries.push([name, nestedValue(nested, body[name], `${where}.${name}`)]);
  return ordered(entries, where);
}

function nestedValue(nested: { nesting: number; block: BlockSchema }, value: unknown, where: string): unknown {
  const { nesting, block } = nested;
  if (nesting === NESTING.list || nesting === NESTING.set) {
    // In Terraform's JSON syntax one block may be written as an object, several as an array of objects.
    const bodies = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (nesting === NESTING.set && bodies.length > 1) {
      throw new UnpredictableRequest(`${where}: a set of ${bodies.length} blocks`);
    }
    return bodies.map((body, i) => blockValue(block, body, `${where}[${i}]`));
  }
  if (nesting === NESTING.map) {
    if (value === undefined) return {};
    if (!isPlainObject(value)) throw new UnpredictableRequest(`${where}: not an object of labels`);
    return ordered(
      Object.entries(value).map(([label, body]) => [label, blockValue(block, body, `${where}.${label}`)]),
      where,
    );
  }
  if (nesting === NESTING.single) return value === undefined ? null : blockValue(block, value, where);
  if (nesting === NESTING.group) return blockValue(block, value ?? {}, where);
  throw new UnpredictableRequest(`${where}: nesting ${nesting}`);
}

function requestFor(value: Record<string, unknown>): Buffer {
  const msgpack = encode(value, { extensionCodec: extensions });
  return encodeBytesField(VALIDATE_CONFIG_REQUEST.config, encodeBytesField(DYNAMIC_VALUE.msgpack, msgpack));
}

function providerBlock(schemaResponse: Uint8Array): BlockSchema | undefined {
  const provider = payloadsOf(schemaResponse, SCHEMA_RESPONSE.provider)[0];
  return provider ? readBlock(payloadsOf(provider, SCHEMA.block)[0] ?? new Uint8Array()) : undefined;
}

/** The engine's validation requests for `config` (the provider block as the bridges give it, `credentials` the
 * paths of its credentials), in the order it sends them, without repeats; an UnpredictableRequest says why there
 * are none, undefined that the schema answer holds no provider schema. */
export function configRequests(
  schemaResponse: Uint8Array,
  config: Record<string, unknown>,
  credentials: ConfigPath[],
): Buffer[] | undefined {
  const schema = providerBlock(schemaResponse);
  if (!schema) return undefined;
  const validation = requestFor(blockValue(schema, splitProviderConfig(config, credentials).config, "provider"));
  const plan = requestFor(blockValue(schema, config, "provider"));
  return validation.equals(plan) ? [plan] : [validation, plan];
}

/** The request for a workspace without a provider block, every provider must accept it; undefined when the
 * answer holds no provider schema. */
export function emptyConfigRequest(schemaResponse: Uint8Array): Buffer | undefined {
  const schema = providerBlock(schemaResponse);
  if (!schema) return undefined;
  try {
    return requestFor(blockValue(schema, {}, "provider"));
  } catch (error) {
    if (error instanceof UnpredictableRequest) return undefined;
    throw error;
  }
}
