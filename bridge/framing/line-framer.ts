// The one line framer: newline-delimited text over byte streams, for the NixOps4 protocol on stdin/stdout (bridge
// and state provider), the provider host's control socket (both sides) and a debug-mode provider's stdout. Lines
// are split on raw bytes so that a line that is not valid UTF-8 can be answered with an error instead of being
// silently mangled into replacement characters; that is why neither node:readline nor split2 (both decode with a
// StringDecoder first) does the job.
import type { Readable, Writable } from "node:stream";

export type Line = { ok: true; text: string } | { ok: false; reason: string };

/** A line grew past the framer's bound without a newline (`overlong: "error"`). */
export class LineTooLongError extends Error {}

export interface FramerOptions {
  /** The most bytes a line may have (default: no bound). */
  maxLineBytes?: number;
  /** What an overlong line does: "error" (default) throws LineTooLongError from push(); "drop" discards the line
   * up to its newline, for streams where only short lines matter and the rest must cost no memory. */
  overlong?: "error" | "drop";
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function decodeLine(bytes: Buffer): Line {
  // A CR before the LF is part of the line ending (CRLF), not of the line.
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  try {
    return { ok: true, text: decoder.decode(bytes.subarray(0, end)) };
  } catch {
    return { ok: false, reason: "not valid UTF-8" };
  }
}

/** Bytes in, complete lines out: the state between chunks (a line split over several) lives here. */
export class LineFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** In "drop" mode, after an overlong line: skip bytes up to the next newline. */
  private dropping = false;
  private readonly maxLineBytes: number;
  private readonly overlong: "error" | "drop";

  constructor(options: FramerOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? Infinity;
    this.overlong = options.overlong ?? "error";
  }

  /** The lines this chunk completes, in order. */
  push(chunk: Buffer | string): Line[] {
    let buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    const lines: Line[] = [];
    let newline: number;
    while ((newline = buffer.indexOf(0x0a)) !== -1) {
      if (this.dropping) {
        this.dropping = false;
      } else {
        this.keep(buffer.subarray(0, newline));
        lines.push(decodeLine(this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending)));
      }
      this.pending = [];
      this.pendingBytes = 0;
      buffer = buffer.subarray(newline + 1);
    }
    if (buffer.length > 0 && !this.dropping) this.keep(buffer);
    return lines;
  }

  /** The last line, when the stream ended without a newline after it. */
  end(): Line[] {
    const rest = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const dropped = this.dropping;
    this.dropping = false;
    return rest.length > 0 && !dropped ? [decodeLine(rest)] : [];
  }

  private keep(bytes: Buffer): void {
    if (this.pendingBytes + bytes.length > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      if (this.overlong === "error") throw new LineTooLongError(`a line is longer than ${this.maxLineBytes} bytes`);
      this.dropping = true;
      return;
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
  }
}

/** Yields each newline-terminated line (and a final unterminated one) until EOF. */
export async function* readLines(input: Readable, options?: FramerOptions): AsyncGenerator<Line> {
  const framer = new LineFramer(options);
  for await (const chunk of input) yield* framer.push(chunk as Buffer | string);
  yield* framer.end();
}

/** Calls `onLine` for each line as chunks arrive on `input` (sockets and pipes read alongside other events). A
 * message is complete only with its newline: a peer that ends mid-line sent nothing. A line past the bound destroys
 * the stream with LineTooLongError; `onLine` returning "stop" ends the reading (later data is ignored, the stream
 * stays open for writing). */
export function onLines(input: Readable, onLine: (line: Line) => "stop" | undefined, options?: FramerOptions): void {
  const framer = new LineFramer(options);
  const onData = (chunk: Buffer | string) => {
    let stopped = false;
    try {
      for (const line of framer.push(chunk)) {
        if (onLine(line) === "stop") {
          stopped = true;
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      stopped = true;
      input.destroy(error);
    }
    if (stopped) input.off("data", onData);
  };
  input.on("data", onData);
}

/** The bytes of one line: the text and its newline; a raw newline inside would split it in two. */
export function frameLine(text: string): string {
  if (text.includes("\n")) throw new Error("a protocol line must not contain a raw newline");
  return text + "\n";
}

/** Writes one line and resolves once it has been handed to the OS; rejects (never throws asynchronously) when the
 * reader is gone (EPIPE), so that the caller decides what an undelivered line means. */
export function writeLine(output: Writable, text: string): Promise<void> {
  const framed = frameLine(text);
  return new Promise((resolve, reject) => {
    output.write(framed, (error) => (error ? reject(error) : resolve()));
  });
}
