import { describe, expect, it } from "vitest";
import { parseEngineVersion, supportsEphemeralVariables } from "./engine-version.js";

describe("parseEngineVersion", () => {
  it("reads Terraform's and OpenTofu's first line", () => {
    expect(parseEngineVersion("Terraform v1.11.4\non linux_amd64\n")).toEqual({
      name: "terraform",
      major: 1,
      minor: 11,
      patch: 4,
      text: "Terraform v1.11.4",
    });
    expect(parseEngineVersion("OpenTofu v1.11.0-beta1\non linux_amd64")).toMatchObject({
      name: "opentofu",
      major: 1,
      minor: 11,
      patch: 0,
    });
  });

  it("knows nothing of other output", () => {
    expect(parseEngineVersion('{"terraform_version":"1.11.4"}')).toBeUndefined();
    expect(parseEngineVersion("")).toBeUndefined();
  });
});

describe("supportsEphemeralVariables", () => {
  const version = (text: string) => parseEngineVersion(text);
  it("from Terraform 1.10 and OpenTofu 1.11 on", () => {
    expect(supportsEphemeralVariables(version("Terraform v1.10.0"))).toBe(true);
    expect(supportsEphemeralVariables(version("Terraform v2.0.0"))).toBe(true);
    expect(supportsEphemeralVariables(version("Terraform v1.9.8"))).toBe(false);
    expect(supportsEphemeralVariables(version("OpenTofu v1.11.0"))).toBe(true);
    expect(supportsEphemeralVariables(version("OpenTofu v1.10.6"))).toBe(false);
    expect(supportsEphemeralVariables(undefined)).toBe(false);
  });
});
