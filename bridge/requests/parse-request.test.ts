import { describe, expect, it } from "vitest";
import { LosslessNumber } from "../json/exact-json.js";
import { MAX_DEPTH, parseRequest, RequestError } from "./parse-request.js";

const line = (value: unknown) => JSON.stringify(value);
const resource = { type: "aws_s3_bucket", inputProperties: { bucket: "b" }, outputProperties: { id: "b" } };

describe("parseRequest", () => {
  it("tags each request kind and keeps its body", () => {
    expect(
      parseRequest(line({ createResourceRequest: { type: "t", inputProperties: { a: 1 }, isStateful: true } })),
    ).toEqual({
      kind: "create",
      body: { type: "t", inputProperties: { a: 1 }, isStateful: true },
    });
    expect(parseRequest(line({ updateResourceRequest: { resource, inputProperties: { bucket: "c" } } }))).toEqual({
      kind: "update",
      body: { resource, inputProperties: { bucket: "c" } },
    });
    expect(parseRequest(line({ destroyResourceRequest: { resource } }))).toEqual({
      kind: "destroy",
      body: { resource },
    });
    expect(parseRequest(line({ importResourceRequest: { resource } }))).toEqual({ kind: "import", body: { resource } });
  });

  it("turns null outputProperties into none and keeps big integers exact", () => {
    const parsed = parseRequest(
      '{"destroyResourceRequest":{"resource":{"type":"t","inputProperties":{"n":12345678901234567890},"outputProperties":null}}}',
    );
    if (parsed.kind !== "destroy") throw new Error(`parsed as ${parsed.kind}`);
    expect(parsed.body.resource.outputProperties).toBeUndefined();
    expect(parsed.body.resource.inputProperties.n).toEqual(new LosslessNumber("12345678901234567890"));
  });

  const refused: [string, RegExp][] = [
    ["", /empty request line/],
    ["{", /not valid JSON/],
    ["[]", /the request must be an object, got an array/],
    [line({}), /exactly one key naming its kind .*got no keys/],
    [line({ a: {}, b: {} }), /got "a", "b"/],
    [line({ toString: {} }), /unknown request kind "toString"/],
    [line({ stateResourceEvent: {} }), /only for state providers/],
    [line({ createResourceRequest: 1 }), /createResourceRequest must be an object, got a number/],
    [line({ createResourceRequest: { type: "t", inputProperties: {} } }), /missing the required field "isStateful"/],
    [
      line({ createResourceRequest: { type: "t", inputProperties: {}, isStateful: "yes" } }),
      /isStateful must be a boolean, got a string/,
    ],
    [
      line({ createResourceRequest: { type: "", inputProperties: {}, isStateful: true } }),
      /type must be a non-empty string/,
    ],
    [
      line({ createResourceRequest: { type: "t", inputProperties: [], isStateful: true } }),
      /inputProperties must be an object, got an array/,
    ],
    [line({ updateResourceRequest: { inputProperties: {} } }), /missing the required field "resource"/],
    [
      line({ destroyResourceRequest: { resource: { type: "t" } } }),
      /resource is missing the required field "inputProperties"/,
    ],
    [
      line({ importResourceRequest: { resource: { ...resource, outputProperties: "x" } } }),
      /outputProperties must be an object, got a string/,
    ],
    ["[".repeat(MAX_DEPTH + 1) + "]".repeat(MAX_DEPTH + 1), /nests deeper than 200 levels/],
  ];
  for (const [input, message] of refused) {
    it(`refuses ${input.slice(0, 60) || "an empty line"}`, () => {
      expect(() => parseRequest(input)).toThrow(RequestError);
      expect(() => parseRequest(input)).toThrow(message);
    });
  }

  it("counts nesting outside strings only", () => {
    const deepString = "[".repeat(MAX_DEPTH + 5);
    expect(
      parseRequest(
        line({ createResourceRequest: { type: "t", inputProperties: { s: deepString }, isStateful: false } }),
      ).kind,
    ).toBe("create");
  });
});
