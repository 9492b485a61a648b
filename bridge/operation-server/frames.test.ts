import { describe, expect, it } from "vitest";
import { encodeFrame, parseBridgeFrame, parseServerFrame } from "./frames.js";

describe("operation server frames", () => {
  it("are one JSON line each, read back as sent", () => {
    const input = { t: "input", b64: Buffer.from([0xff, 0x0a, 0x7b]).toString("base64") } as const;
    const line = encodeFrame(input);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(parseBridgeFrame(line.slice(0, -1))).toEqual(input);
    expect(parseServerFrame(encodeFrame({ t: "response", text: '{"a":"b\\nc"}' }).trim())).toEqual({
      t: "response",
      text: '{"a":"b\\nc"}',
    });
  });

  it("refuse what the other side never sends, and what is not JSON", () => {
    expect(() => parseBridgeFrame(encodeFrame({ t: "ready", pid: 1 }).trim())).toThrow(/unknown frame type "ready"/);
    expect(() => parseServerFrame(encodeFrame({ t: "end" }).trim())).toThrow(/unknown frame type "end"/);
    expect(() => parseServerFrame("null")).toThrow(/unknown frame type/);
    expect(() => parseBridgeFrame("{not json")).toThrow(/not a JSON frame/);
  });
});
