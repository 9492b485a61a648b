// Terraform's JSON configuration syntax evaluates every string (and every key of an object used as a value) as a
// template, so user data such as "${aws:username}" in an IAM policy, or "${file(...)}" anywhere, would be
// interpolated. Escaping every `${` as `$${` and every `%{` as `%%{` keeps values literal; a `$` or `%` before
// them needs nothing (the engine reads "$$${" as "$" + "${"), see terraform-json.test.ts.
import { LosslessNumber } from "../json/exact-json.js";

/** A reference to an input variable of the workspace: the one template main.tf.json holds on purpose (a provider
 * credential given through an ephemeral variable, see provider-credentials.ts), written unescaped. */
export class VariableReference {
  constructor(readonly name: string) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a variable name: ${name}`);
  }
}

export function escapeTemplate(text: string): string {
  // Replacement functions, not strings: in a replacement string "$$" is itself an escape for one "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** Escapes every string (and object key) in a value that goes into main.tf.json as an expression. */
export function literalValue(value: unknown): unknown {
  if (typeof value === "string") return escapeTemplate(value);
  if (value instanceof VariableReference) return `\${var.${value.name}}`;
  if (value instanceof LosslessNumber) return value;
  if (Array.isArray(value)) return value.map(literalValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[escapeTemplate(key)] = literalValue(inner);
    return out;
  }
  return value;
}

/** Removes object properties whose value is null, at any depth: for Terraform and NixOps4 null means "not set". */
export function withoutNulls(value: unknown): unknown {
  if (value instanceof LosslessNumber) return value;
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner === null) continue;
      out[key] = withoutNulls(inner);
    }
    return out;
  }
  return value;
}
