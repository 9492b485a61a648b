import { describe, expect, it } from "vitest";
import { edgeDocument } from "../../testkit/edge-fixture.js";
import type { ProvidersSchemaDocument } from "./provider-schema.js";
import { ProviderSelectionError, selectProvider } from "./select-provider.js";

describe("selectProvider", () => {
  it("infers the source of a one-provider document from its key, but never the version", () => {
    const selected = selectProvider(edgeDocument(), { version: "1.0.0" });
    expect(selected.ref.source).toBe("example/edge");
    expect(selected.address).toBe("registry.terraform.io/example/edge");
    expect(() => selectProvider(edgeDocument(), {})).toThrow(/version cannot be read from a schema/);
  });

  it("needs a source when the document has several providers, and finds the one named", () => {
    const entry = edgeDocument().provider_schemas!["registry.terraform.io/example/edge"]!;
    const two: ProvidersSchemaDocument = {
      format_version: "1.0",
      provider_schemas: { "registry.opentofu.org/example/edge": entry, "registry.opentofu.org/hashicorp/null": entry },
    };
    expect(() => selectProvider(two, { version: "1.0.0" })).toThrow(ProviderSelectionError);
    // a hostname-less source matches the public registry the engine happened to use (tofu: registry.opentofu.org)
    expect(selectProvider(two, { source: "example/edge", version: "1.0.0" }).address).toBe(
      "registry.opentofu.org/example/edge",
    );
    expect(() => selectProvider(two, { source: "example/other", version: "1.0.0" })).toThrow(
      /has no provider registry.terraform.io\/example\/other/,
    );
  });
});
