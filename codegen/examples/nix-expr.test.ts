import { describe, expect, it } from "vitest";
import { nix, printNix } from "./nix-expr.js";

describe("printNix", () => {
  it("escapes what Nix would read as syntax, in plain and indented strings", () => {
    expect(printNix(nix.str('a "b" ${c} \\ d'))).toBe('"a \\"b\\" \\${c} \\\\ d"');
    const text = {
      kind: "string" as const,
      parts: ['{\n  "x": "', nix.ref("members.b.outputs.arn"), "\", '' ${y}\n}\n"],
    };
    expect(printNix(nix.attrs([["policy", text]]))).toBe(
      "{\n  policy = ''\n    {\n      \"x\": \"${members.b.outputs.arn}\", ''' ''${y}\n    }\n  '';\n}",
    );
  });

  it("keeps a double-quoted string when Nix would strip the text's own indentation", () => {
    expect(printNix(nix.str("  a\n  b"))).toBe('"  a\\n  b"');
  });

  it("writes short lists of scalars on one line, others one item per line, applications in parentheses", () => {
    expect(printNix(nix.list([nix.str("a"), nix.num(1), nix.bool(false), nix.null]))).toBe('[ "a" 1 false null ]');
    expect(printNix(nix.list([nix.attrs([["a", nix.num(1)]])]))).toBe("[\n  {\n    a = 1;\n  }\n]");
    expect(printNix(nix.list([nix.apply("toString", nix.ref("x"))]))).toBe("[\n  (toString x)\n]");
    expect(
      printNix(
        nix.attrs([
          ["with-dash", nix.attrs([])],
          ["in", nix.list([])],
        ]),
      ),
    ).toBe('{\n  with-dash = { };\n  "in" = [ ];\n}');
  });
});
