import { describe, expect, it } from "vitest";
import { DEFAULT_KEY, locationFlags, parseStateInputs } from "./state-inputs.js";

describe("parseStateInputs", () => {
  it("takes the bucket, defaults the key, and treats null (NixOps4's unset) as absent", () => {
    expect(
      parseStateInputs({
        bucket: "team-state",
        key: null,
        endpoint: null,
        region: null,
        force_path_style: null,
        _member: ["state"],
      }),
    ).toEqual({
      bucket: "team-state",
      key: DEFAULT_KEY,
      endpoint: undefined,
      region: undefined,
      forcePathStyle: false,
    });
  });

  it("keeps an S3-compatible endpoint, a region and path-style addressing", () => {
    const location = parseStateInputs({
      bucket: "b1",
      key: "prod/state.json",
      endpoint: "https://garage.example.com",
      region: "garage",
      force_path_style: true,
    });
    expect(location).toEqual({
      bucket: "b1",
      key: "prod/state.json",
      endpoint: "https://garage.example.com",
      region: "garage",
      forcePathStyle: true,
    });
    expect(locationFlags(location)).toBe(
      "--bucket b1 --key prod/state.json --endpoint https://garage.example.com --region garage --force-path-style",
    );
  });

  it("refuses a missing bucket, unknown inputs (credentials among them) and wrong types, naming the input", () => {
    expect(() => parseStateInputs({})).toThrow(/s3\.object: input "bucket" is required/);
    expect(() => parseStateInputs({ bucket: "b", secret_key: "x" })).toThrow(
      /unknown input "secret_key".*credentials come from the AWS environment/,
    );
    expect(() => parseStateInputs({ bucket: 3 })).toThrow(/input "bucket" must be a non-empty string.*got 3/);
    expect(() => parseStateInputs({ bucket: "b", force_path_style: "yes" })).toThrow(
      /input "force_path_style" must be a boolean/,
    );
    expect(() => parseStateInputs({ bucket: "b", endpoint: "garage.example.com" })).toThrow(
      /input "endpoint" must be an http/,
    );
    expect(() => parseStateInputs({ bucket: "b", key: "dir/" })).toThrow(/input "key" must name an object/);
  });
});
