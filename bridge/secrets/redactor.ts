// Removes known secret values from anything the bridge prints or returns in an error message.
export const REDACTED = "(sensitive value)";

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret; very short strings are ignored because replacing them would garble every message. */
  add(value: unknown): void {
    if (typeof value === "string" && value.length >= 4) this.secrets.add(value);
    else if (typeof value === "number" || typeof value === "bigint") this.add(String(value));
    else if (Array.isArray(value)) value.forEach((v) => this.add(v));
    else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => this.add(v));
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is removed whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      const quoted = JSON.stringify(secret).slice(1, -1);
      if (quoted !== secret && out.includes(quoted)) out = out.split(quoted).join(REDACTED);
    }
    return out;
  }
}
