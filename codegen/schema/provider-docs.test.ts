import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseTypeDoc, ProviderDocsError, readProviderDocs } from "./provider-docs.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures");

describe("readProviderDocs", () => {
  it("reads the website/docs layout (r/, d/, index) from a repository checkout", () => {
    const docs = readProviderDocs(join(fixtures, "edge-docs"), "edge");
    expect(Object.keys(docs.resources)).toEqual(["edge_thing"]);
    expect(Object.keys(docs.dataSources)).toEqual(["edge_thing"]);
    const thing = docs.resources.edge_thing!;
    expect(thing.summary).toBe("Manages a thing (the schema's own summary wins over this one).");
    // Continuation lines joined, relative and reference-style links reduced to their text, a bare
    // "(Optional)"/"(Required)" dropped; nothing from code blocks, notes, prose or unplaceable headings.
    expect(thing.fields).toEqual({
      name: "Not taken: the schema describes `name` itself.",
      size: "Size of the thing in units.",
      password: "Password for the thing's console; at least 12 characters.",
      zones: "Zones to place the thing in.",
      rule: "Routing rules (documented below).",
      single_block: "A single block.",
      id: "The ID of the thing.",
      arn: "Not taken: the schema describes `arn` itself.",
      secret_map: "Secrets the provider made up.",
    });
    expect(thing.blocks).toEqual({
      rule: { priority: "Order of evaluation, lowest first.", match: "What the rule matches (see below)." },
      match: { field: "Field to look at.", negate: "Invert the match." },
      timeouts: { create: "(Default `10m`) How long creating a thing may take." },
    });
    // Bullets indented under a bullet describe that block's fields.
    expect(docs.dataSources.edge_thing!.blocks).toEqual({
      filter: { name: "Field to filter on.", values: "Values the field may have." },
    });
    expect(docs.provider?.fields.token).toBe("API token. Can also be set with the `EDGE_TOKEN` environment variable.");
    expect(docs.provider?.blocks.assume_role).toEqual({
      role_arn: "ARN of the role to assume.",
      session_name: "Session name to use.",
    });
  });

  it("reads the registry layout tfplugindocs writes (docs/resources, docs/data-sources)", () => {
    const docs = readProviderDocs(join(fixtures, "edge-docs-registry"), "edge");
    expect(docs.provider).toBeUndefined();
    expect(docs.resources.edge_minimal).toEqual({
      summary: "The smallest resource of the Edge provider.",
      fields: { value: "The value to keep.", id: "The ID of this resource." },
      blocks: {},
      examples: [{ hcl: 'resource "edge_minimal" "m" {\n  value = "v"\n}\n' }],
    });
    expect(docs.dataSources.edge_thing!.fields.filter).toBe("Narrows the search.");
    expect(docs.dataSources.edge_thing!.blocks.filter).toEqual({
      name: "Field to filter on.",
      values: "Values the field may have.",
    });
  });

  it("says where it looked when a folder holds no provider docs", () => {
    const empty = mkdtempSync(join(tmpdir(), "no-docs-"));
    try {
      expect(() => readProviderDocs(empty, "edge")).toThrow(ProviderDocsError);
      expect(() => readProviderDocs(empty, "edge")).toThrow(
        /no provider documentation found \(looked for resources\/ and data-sources\/, or r\/ and d\/, in it, in docs\/ and in website\/docs\/\)/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("parseTypeDoc", () => {
  it("falls back to the front matter's description and keeps the first description of a name", () => {
    const docs = parseTypeDoc(
      [
        "---",
        "description: |-",
        "  From the front matter.",
        "---",
        "# Resource: x",
        "",
        "## Argument Reference",
        "",
        "* `a` - first",
        "* `a` - second",
        "",
      ].join("\n"),
    );
    expect(docs.summary).toBe("From the front matter.");
    expect(docs.fields).toEqual({ a: "first" });
  });

  it("places bullets under headings that name a block by path (tfplugindocs) or in backticks", () => {
    const docs = parseTypeDoc(
      [
        "# x",
        "## Schema",
        "### Nested Schema for `rule.match`",
        "- `field` (String) F.",
        "### The `named` block",
        "* `value` - V.",
      ].join("\n"),
    );
    expect(docs.blocks).toEqual({ "rule.match": { field: "F." }, named: { value: "V." } });
  });

  it("does not nest an indented bullet under a bullet of an earlier section", () => {
    const docs = parseTypeDoc(["# x", "## Argument Reference", "* `a` - A.", "### `blk`", "  * `x` - X."].join("\n"));
    expect(docs.blocks).toEqual({ blk: { x: "X." } });
  });
});
