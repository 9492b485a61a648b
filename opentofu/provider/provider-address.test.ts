import { describe, expect, it } from "vitest";
import { parseProviderRef, ProviderRefError } from "./provider-address.js";

describe("parseProviderRef", () => {
  it("splits SOURCE@VERSION into the engine's address parts, on the default registry", () => {
    expect(parseProviderRef("hashicorp/aws@5.100.0")).toEqual({
      source: "hashicorp/aws",
      version: "5.100.0",
      hostname: "registry.terraform.io",
      namespace: "hashicorp",
      name: "aws",
      address: "registry.terraform.io/hashicorp/aws",
    });
    expect(parseProviderRef("hashicorp/aws@5.100.0", "registry.opentofu.org").address).toBe(
      "registry.opentofu.org/hashicorp/aws",
    );
  });

  it("keeps a given hostname, lower-cases the address and drops a leading v", () => {
    const ref = parseProviderRef("Example.COM/Acme/Thing@v1.2.3-beta.1");
    expect(ref.address).toBe("example.com/acme/thing");
    expect(ref.source).toBe("Example.COM/Acme/Thing");
    expect(ref.version).toBe("1.2.3-beta.1");
  });

  it("refuses what is not SOURCE@VERSION with an exact version, saying what is expected", () => {
    expect(() => parseProviderRef("hashicorp/aws")).toThrow(/must be SOURCE@VERSION, e.g. hashicorp\/aws@5.100.0/);
    expect(() => parseProviderRef("hashicorp/aws@")).toThrow(ProviderRefError);
    expect(() => parseProviderRef("aws@5.0.0")).toThrow(/must be NAMESPACE\/TYPE or HOSTNAME\/NAMESPACE\/TYPE/);
    expect(() => parseProviderRef("a/b/c/d@5.0.0")).toThrow(ProviderRefError);
    expect(() => parseProviderRef("hashicorp/aws@~> 5.0")).toThrow(/must be an exact version such as 5.100.0/);
  });
});
