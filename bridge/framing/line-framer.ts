// JSON Lines framing over byte streams. Lines are split on raw bytes so that a line that is not valid UTF-8 can
// be answered with an error instead of being silently mangled into replacement characters.
import type { Readable, Writable } from "node:stream";

export type Line = { ok: true; text: string } | { ok: false; reason: string };

const decoder = new TextDecoder("utf-8", { fatal: true });

function decodeLine(bytes: Buffer): Line {
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    return { ok: false, reason: "the request line is not valid UTF-8" };
  }
}

/** Yields each newline-terminated line (and a final unterminated one) until EOF. */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  for await (const chunk of input) {
    let buffer = chunk as Buffer;
    let newline: number;
    while ((newline = buffer.indexOf(0x0a)) !== -1) {
      pending.push(buffer.subarray(0, newline));
      const line = Buffer.concat(pending);
      pending = [];
      buffer = buffer.subarray(newline + 1);
      const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
      yield decodeLine(line.subarray(0, end));
    }
    if (buffer.length > 0) pending.push(buffer);
  }
  const rest = Buffer.concat(pending);
  if (rest.length > 0) yield decodeLine(rest);
}

/** Writes one JSON value per line and resolves once the line has been handed to the OS. */
export function writeLine(output: Writable, text: string): Promise<void> {
  if (text.includes("\n")) throw new Error("a protocol line must not contain a raw newline");
  return new Promise((resolve, reject) => {
    output.write(text + "\n", (error) => (error ? reject(error) : resolve()));
  });
}
