import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readLines, writeLine, type Line } from "./json-lines.js";

async function linesOf(chunks: Buffer[]): Promise<Line[]> {
  const lines: Line[] = [];
  for await (const line of readLines(Readable.from(chunks))) lines.push(line);
  return lines;
}

describe("readLines", () => {
  it("splits on newlines across chunk borders, drops a CR before LF and yields a last unterminated line", async () => {
    const lines = await linesOf([Buffer.from('{"a":'), Buffer.from('1}\r\n\n{"b"'), Buffer.from(":2}")]);
    expect(lines).toEqual([
      { ok: true, text: '{"a":1}' },
      { ok: true, text: "" },
      { ok: true, text: '{"b":2}' },
    ]);
  });

  it("keeps a multi-byte character split between chunks, and reports invalid UTF-8 for its line only", async () => {
    const euro = Buffer.from('"€"\n');
    const lines = await linesOf([euro.subarray(0, 2), euro.subarray(2), Buffer.from([0xff, 0x0a]), Buffer.from("x\n")]);
    expect(lines).toEqual([
      { ok: true, text: '"€"' },
      { ok: false, reason: "the request line is not valid UTF-8" },
      { ok: true, text: "x" },
    ]);
  });
});

describe("writeLine", () => {
  it("writes the text and one newline, and refuses a raw newline inside", async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (chunk: Buffer) => chunks.push(chunk));
    await writeLine(out, '{"ok":true}');
    expect(Buffer.concat(chunks).toString()).toBe('{"ok":true}\n');
    expect(() => writeLine(out, "a\nb")).toThrow(/must not contain a raw newline/);
  });
});
