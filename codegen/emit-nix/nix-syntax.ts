// Nix lexical rules: which names can stay bare, and how to write a string literal.
const NIX_KEYWORDS = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"]);
const NIX_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

export function nixString(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]|\$\{/g, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\${c}`))}"`;
}

/** An attribute name: bare when Nix allows it, otherwise quoted (never renamed, so wire keys stay Terraform's). */
export function nixAttrName(name: string): string {
  return NIX_IDENTIFIER.test(name) && !NIX_KEYWORDS.has(name) ? name : nixString(name);
}
