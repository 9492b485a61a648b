// The inputs of an `s3.object` state resource: where the state lives. Credentials are deliberately not among them:
// NixOps4 stores inputs in the state and prints them, so they come from the standard AWS environment and profile
// chain only.
import type { JsonObject } from "../bridge/protocol/messages.js";

export const RESOURCE_TYPE = "s3.object";
export const DEFAULT_KEY = "nixops4/state.json";

export interface StateLocation {
  bucket: string;
  /** The object that holds the current state; the lock and the history live beside it. */
  key: string;
  /** An S3-compatible API (Garage, MinIO, Ceph, …); undefined: AWS (or AWS_ENDPOINT_URL, as the SDK reads it). */
  endpoint?: string;
  region?: string;
  forcePathStyle: boolean;
}

export class StateInputError extends Error {}

/** `_member` is the reserved key the project's Nix modules may set on every resource; it does not locate state. */
const KNOWN = ["bucket", "key", "endpoint", "region", "force_path_style", "_member"];

function optionalString(inputs: JsonObject, name: string, what: string): string | undefined {
  const value = inputs[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new StateInputError(
      `${RESOURCE_TYPE}: input "${name}" must be a non-empty string (${what}), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function parseStateInputs(inputs: JsonObject): StateLocation {
  const unknown = Object.keys(inputs).filter((name) => !KNOWN.includes(name));
  if (unknown.length > 0) {
    throw new StateInputError(
      `${RESOURCE_TYPE}: unknown input ${unknown.map((n) => `"${n}"`).join(", ")}; the inputs are bucket, key, endpoint, ` +
        `region and force_path_style (credentials come from the AWS environment or profile, never from inputs)`,
    );
  }
  const bucket = optionalString(inputs, "bucket", "the S3 bucket that holds the state");
  if (bucket === undefined)
    throw new StateInputError(`${RESOURCE_TYPE}: input "bucket" is required (the S3 bucket that holds the state)`);
  const key = optionalString(inputs, "key", `the object key, default "${DEFAULT_KEY}"`) ?? DEFAULT_KEY;
  if (key.endsWith("/"))
    throw new StateInputError(`${RESOURCE_TYPE}: input "key" must name an object, not a folder, got "${key}"`);
  const endpoint = optionalString(
    inputs,
    "endpoint",
    "the URL of an S3-compatible API, e.g. https://garage.example.com",
  );
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new StateInputError(
      `${RESOURCE_TYPE}: input "endpoint" must be an http:// or https:// URL, got "${endpoint}"`,
    );
  }
  const region = optionalString(inputs, "region", "the S3 region, e.g. eu-central-1");
  const pathStyle = inputs.force_path_style;
  if (pathStyle !== undefined && pathStyle !== null && typeof pathStyle !== "boolean") {
    throw new StateInputError(
      `${RESOURCE_TYPE}: input "force_path_style" must be a boolean, got ${JSON.stringify(pathStyle)}`,
    );
  }
  return { bucket, key, endpoint, region, forcePathStyle: pathStyle === true };
}

/** How people name the location in messages. */
export function locationUrl(location: StateLocation): string {
  return `s3://${location.bucket}/${location.key}${location.endpoint ? ` at ${location.endpoint}` : ""}`;
}

/** The command-line flags that name the same location, for the commands a message suggests. */
export function locationFlags(location: StateLocation): string {
  const flags = [`--bucket ${location.bucket}`];
  if (location.key !== DEFAULT_KEY) flags.push(`--key ${location.key}`);
  if (location.endpoint) flags.push(`--endpoint ${location.endpoint}`);
  if (location.region) flags.push(`--region ${location.region}`);
  if (location.forcePathStyle) flags.push("--force-path-style");
  return flags.join(" ");
}
