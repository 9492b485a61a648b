import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ResourceHandler } from "./messages.js";
import { serve } from "./serve.js";

const create = (type: string) =>
  JSON.stringify({ createResourceRequest: { type, inputProperties: {}, isStateful: true } });

/** A handler that answers creates with the type it was asked for, fails for "boom", and notes each settle. */
function handler(settled: boolean[]): ResourceHandler {
  return {
    create: async ({ type }) => {
      if (type === "boom") throw new Error("the provider said no");
      return { made: type };
    },
    update: async () => ({}),
    destroy: async () => undefined,
    import: async () => ({}),
    settle: async (delivered) => {
      settled.push(delivered);
    },
  };
}

async function run(input: string | Buffer, output: Writable = new PassThrough()) {
  const source = new PassThrough();
  const written: string[] = [];
  output.on("data", (chunk: Buffer) => written.push(chunk.toString()));
  const logs: string[] = [];
  const settled: boolean[] = [];
  const served = serve({ input: source, output, handler: () => handler(settled), log: (l) => logs.push(l) });
  source.end(input);
  await served;
  return { lines: written.join("").split("\n").filter(Boolean), logs, settled };
}

describe("serve", () => {
  it("answers each request with one line, in order, errors as errorResponse, and goes on", async () => {
    const bad = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("\n")]);
    const { lines, logs, settled } = await run(
      Buffer.concat([Buffer.from(`${create("a")}\n${create("boom")}\nnot json\n`), bad, Buffer.from(create("z"))]),
    );
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { createResourceResponse: { outputProperties: { made: "a" } } },
      { errorResponse: { message: "the provider said no" } },
      { errorResponse: { message: expect.stringMatching(/JSON/) } },
      { errorResponse: { message: "the request line is not valid UTF-8" } },
      { createResourceResponse: { outputProperties: { made: "z" } } },
    ]);
    // errors are also on stderr for NixOps4 builds that show only what the provider logged
    expect(logs.filter((l) => l.startsWith("error: "))).toHaveLength(3);
    // settle is told once per line answered after the handler was resolved (not for the line that never decoded)
    expect(settled).toEqual([true, true, true, true]);
  });

  it("stops after a response that could not be written (EPIPE) and tells the handler it was not delivered", async () => {
    const gone = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    gone.on("error", () => undefined);
    const { logs, settled } = await run(`${create("a")}\n${create("b")}\n`, gone);
    expect(settled).toEqual([false]);
    expect(logs).toContainEqual(expect.stringMatching(/could not be written \(write EPIPE\): the caller is gone/));
  });
});
