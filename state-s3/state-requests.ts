// Turns one protocol line into a typed state-provider request, or an error that says what is wrong with it. The
// same envelope rules as the bridge's: one key naming the kind; unknown extra fields are ignored (protocol v0).
import { parseExact } from "../bridge/json/exact-json.js";
import type { ExtantResource, JsonObject } from "../bridge/protocol/messages.js";
import type { Patch } from "./state-document.js";

export interface StateResourceEvent {
  resource: ExtantResource;
  event: string;
  nixopsVersion: string;
  patch: Patch;
}

export type StateRequest =
  | { kind: "create"; type: string; inputProperties: JsonObject; isStateful: boolean }
  | { kind: "read"; resource: ExtantResource }
  | { kind: "event"; body: StateResourceEvent };

export class StateRequestError extends Error {}

const KINDS = ["createResourceRequest", "stateResourceReadRequest", "stateResourceEvent"];

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function object(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new StateRequestError(`${where} must be an object`);
  return value;
}

function string(value: unknown, where: string): string {
  if (typeof value !== "string") throw new StateRequestError(`${where} must be a string`);
  return value;
}

function extant(value: unknown, where: string): ExtantResource {
  const resource = object(value, where);
  const outputs = resource.outputProperties;
  return {
    type: string(resource.type, `${where}.type`),
    inputProperties: object(resource.inputProperties, `${where}.inputProperties`),
    // NixOps4 leaves outputProperties out for a read-only `state dump`; null is taken the same way.
    outputProperties:
      outputs === undefined || outputs === null ? undefined : object(outputs, `${where}.outputProperties`),
  };
}

export function parseStateRequest(line: string): StateRequest {
  let message: unknown;
  try {
    message = parseExact(line);
  } catch (error) {
    throw new StateRequestError(`the request line is not valid JSON: ${(error as Error).message}`);
  }
  const envelope = object(message, "the request");
  const keys = Object.keys(envelope);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined) {
    throw new StateRequestError(
      `a request must be an object with exactly one key naming its kind (${KINDS.join(", ")})`,
    );
  }
  const body = object(envelope[name], name);
  switch (name) {
    case "createResourceRequest":
      if (typeof body.isStateful !== "boolean") throw new StateRequestError(`${name}.isStateful must be a boolean`);
      return {
        kind: "create",
        type: string(body.type, `${name}.type`),
        inputProperties: object(body.inputProperties, `${name}.inputProperties`),
        isStateful: body.isStateful,
      };
    case "stateResourceReadRequest":
      return { kind: "read", resource: extant(body.resource, `${name}.resource`) };
    case "stateResourceEvent":
      if (!Array.isArray(body.patch) || !body.patch.every(isObject)) {
        throw new StateRequestError(`${name}.patch must be a JSON Patch (an array of operation objects)`);
      }
      return {
        kind: "event",
        body: {
          resource: extant(body.resource, `${name}.resource`),
          event: string(body.event, `${name}.event`),
          nixopsVersion: string(body.nixopsVersion, `${name}.nixopsVersion`),
          patch: body.patch,
        },
      };
    default:
      throw new StateRequestError(
        `unknown request kind "${name}"; nixops4-state-s3 is a state provider and handles ${KINDS.join(", ")} ` +
          `(its resource is created statelessly on every apply and never updated or destroyed)`,
      );
  }
}
