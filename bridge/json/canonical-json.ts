// A key-sorted rendering of a value, for hashes that must not depend on key order or number representation.
import { createHash } from "node:crypto";
import { LosslessNumber } from "./exact-json.js";

function canonical(value: unknown): unknown {
  if (value instanceof LosslessNumber) return value.value;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((k) => [k, canonical(object[k])]),
    );
  }
  return value;
}

export function canonicalHash(value: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex");
}
