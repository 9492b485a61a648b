// JSON that keeps numbers exact. Nix integers are 64-bit and Terraform numbers are arbitrary precision, while
// JSON.parse rounds anything beyond 2^53; values that a double cannot hold exactly stay LosslessNumber objects
// from the protocol line through main.tf.json and back out of the state file.
import { LosslessNumber, isSafeNumber, parse, stringify } from "lossless-json";

export { LosslessNumber };

function parseNumber(text: string): number | LosslessNumber {
  return isSafeNumber(text) ? Number(text) : new LosslessNumber(text);
}

export function parseExact(text: string): unknown {
  return parse(text, null, parseNumber);
}

export function stringifyExact(value: unknown, indent?: number): string {
  const text = stringify(value, undefined, indent);
  if (text === undefined) throw new Error("value cannot be serialised as JSON");
  return text;
}

/** A copy with exact numbers turned into plain numbers, for checks that only look at the JSON type. */
export function toPlainJson(value: unknown): unknown {
  if (value instanceof LosslessNumber) return Number(value.value);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlainJson(v);
    return out;
  }
  return value;
}
