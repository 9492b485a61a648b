// The small part of Nix that usage examples are written in (literals, lists, attribute sets, strings with
// interpolations, references and function applications), and its printer: one attribute per line, short lists of
// scalars on one line, multi-line text as an indented string, the way people write NixOps4 deployments.
import { nixAttrName, nixString } from "../emit-nix/nix-syntax.js";

export type NixExpr =
  | { kind: "string"; parts: (string | NixExpr)[] }
  | { kind: "number"; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "null" }
  | { kind: "list"; items: NixExpr[] }
  | { kind: "attrs"; entries: [string, NixExpr][] }
  /** A reference such as `members.b.outputs.arn` or `providers.aws.aws_s3_bucket`, written as it is. */
  | { kind: "ref"; text: string }
  | { kind: "apply"; fn: string; args: NixExpr[] };

export const nix = {
  str: (text: string): NixExpr => ({ kind: "string", parts: [text] }),
  num: (value: number | string): NixExpr => ({ kind: "number", text: String(value) }),
  bool: (value: boolean): NixExpr => ({ kind: "bool", value }),
  null: { kind: "null" } as NixExpr,
  list: (items: NixExpr[]): NixExpr => ({ kind: "list", items }),
  attrs: (entries: [string, NixExpr][]): NixExpr => ({ kind: "attrs", entries }),
  ref: (text: string): NixExpr => ({ kind: "ref", text }),
  apply: (fn: string, ...args: NixExpr[]): NixExpr => ({ kind: "apply", fn, args }),
};

const INLINE_LIST_WIDTH = 80;

export function printNix(expr: NixExpr, indent = ""): string {
  switch (expr.kind) {
    case "string":
      return printString(expr.parts, indent);
    case "number":
      return expr.text;
    case "bool":
      return String(expr.value);
    case "null":
      return "null";
    case "ref":
      return expr.text;
    case "apply":
      return [expr.fn, ...expr.args.map((a) => argument(a, indent))].join(" ");
    case "list": {
      if (expr.items.length === 0) return "[ ]";
      const inner = indent + "  ";
      if (expr.items.every(isScalar)) {
        const line = `[ ${expr.items.map((i) => argument(i, inner)).join(" ")} ]`;
        if (line.length <= INLINE_LIST_WIDTH && !line.includes("\n")) return line;
      }
      return `[\n${expr.items.map((i) => `${inner}${argument(i, inner)}\n`).join("")}${indent}]`;
    }
    case "attrs": {
      if (expr.entries.length === 0) return "{ }";
      const inner = indent + "  ";
      return `{\n${expr.entries.map(([k, v]) => `${inner}${nixAttrName(k)} = ${printNix(v, inner)};\n`).join("")}${indent}}`;
    }
  }
}

function isScalar(expr: NixExpr): boolean {
  return (
    expr.kind === "number" ||
    expr.kind === "bool" ||
    expr.kind === "null" ||
    expr.kind === "ref" ||
    (expr.kind === "string" && expr.parts.every((p) => (typeof p === "string" ? !p.includes("\n") : p.kind === "ref")))
  );
}

/** List items and function arguments need parentheses around applications. */
function argument(expr: NixExpr, indent: string): string {
  const text = printNix(expr, indent);
  return expr.kind === "apply" ? `(${text})` : text;
}

function printString(parts: (string | NixExpr)[], indent: string): string {
  const literal = parts.filter((p): p is string => typeof p === "string").join("");
  if (literal.includes("\n") && indentedStringKeepsText(parts)) return printIndentedString(parts, indent);
  return `"${parts.map((p) => (typeof p === "string" ? nixString(p).slice(1, -1) : `\${${printNix(p, indent)}}`)).join("")}"`;
}

/**
 * Nix strips the indentation all lines of an indented string share; that is only the printer's own when some
 * line of the text starts at its first column.
 */
function indentedStringKeepsText(parts: (string | NixExpr)[]): boolean {
  const text = parts.map((p) => (typeof p === "string" ? p : "x")).join("");
  return text.split("\n").some((line) => line.length > 0 && !/^\s/.test(line));
}

function printIndentedString(parts: (string | NixExpr)[], indent: string): string {
  const inner = indent + "  ";
  let body = "";
  for (const part of parts) {
    body +=
      typeof part === "string" ? part.replace(/''/g, "'''").replace(/\$\{/g, "''${") : `\${${printNix(part, inner)}}`;
  }
  const lines = body.split("\n").map((line) => (line.length > 0 ? inner + line : line));
  // A text that ends in a newline leaves an empty last line, which then holds only the closing indentation.
  if (lines[lines.length - 1] === "") lines[lines.length - 1] = indent;
  return `''\n${lines.join("\n")}''`;
}
