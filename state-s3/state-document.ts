// The nixopsState document and the RFC 6902 patches NixOps4 sends to change it. The document is opaque JSON to a
// state provider (NixOps4 owns its shape); the only check is that a patch leaves a nixopsState document behind,
// so that a malformed patch is refused instead of stored.
import jsonpatch from "fast-json-patch";
import { parseExact, stringifyExact } from "../bridge/json/exact-json.js";
import type { JsonObject } from "../bridge/protocol/messages.js";

export type Patch = JsonObject[];

/** NixOps4's StateEvent (state-schema-v0.json); `meta` carries who and what besides the required time. */
export interface StateEvent {
  index: number;
  meta: { time: string; [key: string]: unknown };
  patch: Patch;
}

export const emptyState = (): JsonObject => ({ _type: "nixopsState", resources: {}, deployments: {} });

/** The first event of every location, as nixops4-resources-local's state_file writes it: folding starts from {}. */
export function initialEvent(meta: StateEvent["meta"]): StateEvent {
  return { index: 0, meta, patch: [{ op: "add", path: "", value: emptyState() }] };
}

export class PatchError extends Error {}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The document after the patch; the input is left as it was (the patch is applied to a private copy). */
export function applyStatePatch(document: JsonObject | undefined, patch: Patch): JsonObject {
  // A copy through the exact-number JSON keeps 64-bit integers exact (fast-json-patch's own clone would not).
  const copy = document === undefined ? {} : (parseExact(stringifyExact(document)) as JsonObject);
  let result: unknown;
  try {
    result = jsonpatch.applyPatch(copy, patch as unknown as jsonpatch.Operation[], true, true).newDocument;
  } catch (error) {
    const e = error as { message?: string; index?: number; operation?: unknown };
    const where = e.index === undefined ? "" : ` (operation ${e.index}: ${JSON.stringify(e.operation)})`;
    throw new PatchError(`the state patch cannot be applied${where}: ${(e.message ?? String(error)).split("\n")[0]}`);
  }
  if (!isObject(result) || result._type !== "nixopsState") {
    throw new PatchError(
      `the state patch would leave no nixopsState document (a "_type": "nixopsState" object) behind`,
    );
  }
  return result;
}

/** The document the events describe, folded in order from {}; events must be 0, 1, 2, … without gaps. */
export function foldEvents(events: StateEvent[]): JsonObject {
  let document: JsonObject | undefined;
  events.forEach((event, position) => {
    if (event.index !== position)
      throw new PatchError(`state history is not contiguous: event ${position} has index ${event.index}`);
    document = applyStatePatch(document, event.patch);
  });
  if (document === undefined) throw new PatchError("no state events to fold");
  return document;
}

/** A StateEvent as stored, checked for the fields state-schema-v0.json requires. */
export function parseStateEvent(text: string, where: string): StateEvent {
  let value: unknown;
  try {
    value = parseExact(text);
  } catch (error) {
    throw new PatchError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  if (
    !isObject(value) ||
    typeof value.index !== "number" ||
    !isObject(value.meta) ||
    typeof value.meta.time !== "string" ||
    !Array.isArray(value.patch)
  ) {
    throw new PatchError(`${where} is not a NixOps4 state event (index, meta.time and patch are required)`);
  }
  return value as unknown as StateEvent;
}
