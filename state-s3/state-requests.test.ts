import { describe, expect, it } from "vitest";
import { parseStateRequest } from "./state-requests.js";

const resource = { type: "s3.object", inputProperties: { bucket: "b" } };

describe("parseStateRequest", () => {
  it("tells an apply's read (outputProperties) from a read-only one (absent or null)", () => {
    const line = (r: object) => JSON.stringify({ stateResourceReadRequest: { resource: r } });
    expect(parseStateRequest(line({ ...resource, outputProperties: {} }))).toEqual({
      kind: "read",
      resource: { ...resource, outputProperties: {} },
    });
    expect(parseStateRequest(line(resource))).toEqual({
      kind: "read",
      resource: { ...resource, outputProperties: undefined },
    });
    expect(parseStateRequest(line({ ...resource, outputProperties: null }))).toEqual({
      kind: "read",
      resource: { ...resource, outputProperties: undefined },
    });
  });

  it("parses an event and refuses one whose patch is not a JSON Patch", () => {
    const event = {
      resource,
      event: "create",
      nixopsVersion: "0.1.0",
      patch: [{ op: "add", path: "/resources/x", value: 1 }],
    };
    expect(parseStateRequest(JSON.stringify({ stateResourceEvent: event }))).toMatchObject({
      kind: "event",
      body: { event: "create", patch: event.patch },
    });
    expect(() => parseStateRequest(JSON.stringify({ stateResourceEvent: { ...event, patch: {} } }))).toThrow(
      /patch must be a JSON Patch/,
    );
  });

  it("refuses kinds a state provider does not serve", () => {
    expect(() => parseStateRequest(JSON.stringify({ updateResourceRequest: {} }))).toThrow(
      /unknown request kind "updateResourceRequest"; nixops4-state-s3 is a state provider/,
    );
    expect(() => parseStateRequest("{}")).toThrow(/exactly one key/);
  });
});
