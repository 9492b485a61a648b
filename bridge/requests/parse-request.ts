// Turns one protocol line into a typed request, or a RequestError that says what is wrong with the envelope.
// The request kinds and each body's required fields come from the protocol schema (bridge/protocol/generated).
import { parseExact } from "../json/exact-json.js";
import { REQUEST_BODIES, REQUIRED_FIELDS } from "../protocol/generated/protocol.js";
import type { ExtantResource, JsonObject, Request } from "../protocol/messages.js";

export class RequestError extends Error {}

type RequestKey = keyof typeof REQUEST_BODIES;
const STATE_PROVIDER_KEYS = ["stateResourceReadRequest", "stateResourceEvent"] as const satisfies RequestKey[];

// Every request kind of the schema is either handled here or refused as a state provider's: a kind added to the
// schema fails to compile until it is placed.
const KINDS: Record<Exclude<RequestKey, (typeof STATE_PROVIDER_KEYS)[number]>, Request["kind"]> = {
  createResourceRequest: "create",
  updateResourceRequest: "update",
  destroyResourceRequest: "destroy",
  importResourceRequest: "import",
};

const STATE_PROVIDER_KINDS = new Set<string>(STATE_PROVIDER_KEYS);

function kindOf(name: string): Request["kind"] | undefined {
  return Object.hasOwn(KINDS, name) ? KINDS[name as keyof typeof KINDS] : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function requireObject(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new RequestError(`${where} must be an object, got ${describe(value)}`);
  return value;
}

// Unknown extra fields are ignored: the protocol is v0 and NixOps4 may add fields before we learn of them.
function requireFields(body: JsonObject, where: string, required: readonly string[]): void {
  for (const field of required) {
    if (!(field in body)) throw new RequestError(`${where} is missing the required field "${field}"`);
  }
}

function requireType(value: unknown, where: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new RequestError(`${where} must be a non-empty string (the resource type), got ${describe(value)}`);
  }
  return value;
}

function extantResource(value: unknown, where: string): ExtantResource {
  const resource = requireObject(value, where);
  requireFields(resource, where, REQUIRED_FIELDS.ExtantResource);
  const outputs = resource.outputProperties;
  if (outputs !== undefined && outputs !== null) requireObject(outputs, `${where}.outputProperties`);
  return {
    type: requireType(resource.type, `${where}.type`),
    inputProperties: requireObject(resource.inputProperties, `${where}.inputProperties`),
    outputProperties: (outputs ?? undefined) as JsonObject | undefined,
  };
}

/** Deeper than any provider schema nests (AWS: 14 blocks, ~30 JSON levels); deeper input is refused before parsing. */
export const MAX_DEPTH = 200;
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export function parseRequest(line: string): Request {
  if (line.trim() === "") throw new RequestError("empty request line; expected one JSON object per line");
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
    throw new RequestError(`the request line is larger than ${MAX_LINE_BYTES / 1024 / 1024} MiB`);
  }
  if (nestingDepth(line) > MAX_DEPTH) {
    throw new RequestError(`the request nests deeper than ${MAX_DEPTH} levels; no provider schema is that deep`);
  }
  let message: unknown;
  try {
    message = parseExact(line);
  } catch (error) {
    throw new RequestError(`the request line is not valid JSON: ${(error as Error).message}`);
  }
  const envelope = requireObject(message, "the request");
  const keys = Object.keys(envelope);
  if (keys.length !== 1) {
    throw new RequestError(
      `a request must be an object with exactly one key naming its kind (${Object.keys(KINDS).join(", ")}), got ${
        keys.length === 0 ? "no keys" : keys.map((k) => `"${k}"`).join(", ")
      }`,
    );
  }
  const name = keys[0]!;
  const kind = kindOf(name);
  if (!kind) {
    if (STATE_PROVIDER_KINDS.has(name)) {
      throw new RequestError(
        `"${name}" is only for state providers; nixops4-resources-opentofu is not a state provider`,
      );
    }
    throw new RequestError(`unknown request kind "${name}"; this provider handles ${Object.keys(KINDS).join(", ")}`);
  }
  const body = requireObject(envelope[name], name);
  switch (kind) {
    case "create": {
      requireFields(body, name, REQUIRED_FIELDS.CreateResourceRequest);
      if (typeof body.isStateful !== "boolean") {
        throw new RequestError(`${name}.isStateful must be a boolean, got ${describe(body.isStateful)}`);
      }
      return {
        kind,
        body: {
          type: requireType(body.type, `${name}.type`),
          inputProperties: requireObject(body.inputProperties, `${name}.inputProperties`),
          isStateful: body.isStateful,
        },
      };
    }
    case "update":
      requireFields(body, name, REQUIRED_FIELDS.UpdateResourceRequest);
      return {
        kind,
        body: {
          resource: extantResource(body.resource, `${name}.resource`),
          inputProperties: requireObject(body.inputProperties, `${name}.inputProperties`),
        },
      };
    case "destroy":
      requireFields(body, name, REQUIRED_FIELDS.DestroyResourceRequest);
      return { kind, body: { resource: extantResource(body.resource, `${name}.resource`) } };
    case "import":
      requireFields(body, name, REQUIRED_FIELDS.ImportResourceRequest);
      return { kind, body: { resource: extantResource(body.resource, `${name}.resource`) } };
  }
}
