import { describe, expect, it } from "vitest";
import { nixEval } from "../../testkit/nix.js";
import { writeFileSync } from "node:fs";
import { file as tmpFile } from "tmp-promise";
import { nixAttrName, nixString } from "./nix-syntax.js";

describe("nixAttrName", () => {
  it("quotes keywords and names Nix cannot take bare, and nothing else", () => {
    for (const keyword of ["or", "if", "then", "else", "let", "in", "with", "inherit", "rec", "assert"]) {
      expect(nixAttrName(keyword)).toBe(`"${keyword}"`);
    }
    expect(nixAttrName("9lives")).toBe('"9lives"');
    expect(nixAttrName("a.b")).toBe('"a.b"');
    expect(nixAttrName("bucket_name")).toBe("bucket_name");
    expect(nixAttrName("import")).toBe("import"); // a builtin, not a keyword
  });
});

describe("nixString", () => {
  it("round-trips through Nix, including quotes, backslashes, newlines and ${", async () => {
    const value = 'say "hi" \\ ${not.interpolated} $x\nline\ttab';
    const tmp = await tmpFile({ postfix: ".nix" });
    writeFileSync(tmp.path, `{ "or" = ${nixString(value)}; }`);
    const result = await nixEval(tmp.path, {});
    await tmp.cleanup();
    expect(result.error).toBe("");
    expect(result.value).toEqual({ or: value });
  });
});
