import { PassThrough, Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LineFramer, LineTooLongError, onLines, readLines, writeLine, type Line } from "./line-framer.js";

async function linesOf(chunks: Buffer[]): Promise<Line[]> {
  const lines: Line[] = [];
  for await (const line of readLines(Readable.from(chunks))) lines.push(line);
  return lines;
}

const text = (lines: Line[]) => lines.map((l) => (l.ok ? l.text : `!${l.reason}`));

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
      { ok: false, reason: "not valid UTF-8" },
      { ok: true, text: "x" },
    ]);
  });

  it("keeps U+FFFD that was really sent: only undecodable bytes are an error", async () => {
    expect(await linesOf([Buffer.from("a\uFFFDb\n")])).toEqual([{ ok: true, text: "a\uFFFDb" }]);
  });
});

describe("LineFramer", () => {
  it("gives nothing until a newline, then the whole line; end() gives the rest once", () => {
    const framer = new LineFramer();
    expect(framer.push("ab")).toEqual([]);
    expect(text(framer.push("c\nd\ne"))).toEqual(["abc", "d"]);
    expect(text(framer.end())).toEqual(["e"]);
    expect(framer.end()).toEqual([]);
  });

  it("refuses a line past its bound, counting bytes of every chunk of the line", () => {
    const framer = new LineFramer({ maxLineBytes: 4 });
    expect(text(framer.push("abcd\n"))).toEqual(["abcd"]);
    expect(framer.push("ab")).toEqual([]);
    expect(() => framer.push("cde")).toThrow(LineTooLongError);
  });

  it("in drop mode, skips an overlong line up to its newline and goes on with the next", () => {
    const framer = new LineFramer({ maxLineBytes: 4, overlong: "drop" });
    expect(framer.push("abc")).toEqual([]);
    expect(framer.push("defgh")).toEqual([]);
    expect(text(framer.push("ij\nok\nxyzzy-long"))).toEqual(["ok"]);
    expect(text(framer.push("\nlast"))).toEqual([]);
    expect(text(framer.end())).toEqual(["last"]);
  });
});

describe("onLines", () => {
  it("calls back per complete line as data arrives, never for an unterminated tail", async () => {
    const input = new PassThrough();
    const seen: string[] = [];
    onLines(input, (line) => {
      seen.push(line.ok ? line.text : "!");
      return undefined;
    });
    input.write("one\ntw");
    input.write("o\nthr");
    input.end();
    await new Promise((resolve) => input.once("end", resolve));
    expect(seen).toEqual(["one", "two"]);
  });

  it("stops after 'stop' (lines after it in the same chunk too) and leaves the stream open", async () => {
    const input = new PassThrough();
    const seen: string[] = [];
    onLines(input, (line) => {
      seen.push(line.ok ? line.text : "!");
      return "stop";
    });
    input.write("first\nsecond\n");
    input.write("third\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["first"]);
    expect(input.destroyed).toBe(false);
  });

  it("destroys the stream with LineTooLongError past the bound", async () => {
    const input = new PassThrough();
    onLines(input, () => undefined, { maxLineBytes: 8 });
    const failed = new Promise<Error>((resolve) => input.once("error", resolve));
    input.write("0123456789");
    expect(await failed).toBeInstanceOf(LineTooLongError);
    expect(input.destroyed).toBe(true);
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

  it("rejects, instead of throwing, when the reader is gone (EPIPE)", async () => {
    const gone = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    gone.on("error", () => undefined);
    await expect(writeLine(gone, "{}")).rejects.toMatchObject({ code: "EPIPE" });
  });
});
