import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { edgeEntry } from "../../testkit/edge-fixture.js";
import { repoRoot } from "../../testkit/repo-root.js";
import { readProviderDocs } from "../schema/provider-docs.js";
import { convertDocsExamples, exampleTypes } from "./usage-examples.js";

describe("convertDocsExamples", () => {
  const types = exampleTypes(edgeEntry());

  it("converts the examples of registry-layout docs (docs/resources/<name>.md)", async () => {
    const docs = readProviderDocs(join(repoRoot, "fixtures", "edge-docs-registry"), "edge");
    const result = await convertDocsExamples(
      "edge",
      "managed",
      "edge_minimal",
      docs.resources.edge_minimal!.examples!,
      types,
    );
    expect(result.skipped).toEqual([]);
    expect(result.examples).toEqual([
      {
        origin: "docs",
        nix: '{ providers, members, ... }:\n{\n  members.m = {\n    type = providers.edge.edge_minimal;\n    state = members.state;\n    inputs = {\n      value = "v";\n    };\n  };\n}\n',
      },
    ]);
  });

  it("leaves out, with the reason, an example that would not evaluate or does not show the type", async () => {
    const docs = readProviderDocs(join(repoRoot, "fixtures", "edge-docs"), "edge");
    const thing = await convertDocsExamples(
      "edge",
      "managed",
      "edge_thing",
      docs.resources.edge_thing!.examples!,
      types,
    );
    expect(thing).toEqual({ examples: [], skipped: ["example 1: edge_thing.example.zones: required, not set"] });
    const other = await convertDocsExamples(
      "edge",
      "managed",
      "edge_thing",
      [{ title: "T", hcl: 'resource "edge_minimal" "m" {\n  value = "v"\n}\n' }],
      types,
    );
    expect(other.skipped).toEqual(['example "T": does not use edge_thing']);
  });
});
