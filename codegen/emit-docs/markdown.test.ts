import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEdgePackage } from "../../testkit/edge-fixture.js";
import type { ProviderIndex } from "../generate-provider.js";

describe("generated Markdown of the edge fixture", () => {
  let pkg: { dir: string; index: ProviderIndex; cleanup(): Promise<void> };
  const read = (p: string) => readFileSync(join(pkg.dir, p), "utf8");
  beforeAll(async () => {
    pkg = await generateEdgePackage();
  });
  afterAll(() => pkg.cleanup());

  it("documents a resource: registry link, wire type, inputs, outputs, flags and nested structures", () => {
    const page = read(pkg.index.resources.edge_thing!.docs);
    expect(page).toContain("# edge_thing (resource)");
    expect(page).toContain(
      "[registry documentation](https://registry.terraform.io/providers/example/edge/1.0.0/docs/resources/thing)",
    );
    expect(page).toContain("A thing that exercises every schema feature.");
    expect(page).toContain("| `password` | string | optional, sensitive, write-only (not kept in state) |  |");
    expect(page).toContain("| `old_name` | string | optional, deprecated |  |");
    expect(page).toContain("| `rule` | list([rule](#input-rule)) | block, 1..5 items |  |");
    expect(page).toContain("| `pair` | tuple([string, number]) | optional |  |");
    expect(page).toContain('<a id="input-match_or_fallback"></a>\n### `match_or_fallback`');
    expect(page).toContain("| `arn` | string | computed | The ARN, computed by the provider. |");
    expect(page).toContain(
      '| `name` | string | required | Name of the thing; `must` be "unique" ${not interpolated}.<br>Second line. |',
    );
    expect(page).toContain(
      "| `lifecycle` | [lifecycle](../meta-arguments.md#lifecycle) | optional, meta-argument |  |",
    );
    expect(page).toContain("The type of `list_nested`, `set_nested`.");
  });

  it("has an Outputs table about outputs: where each value comes from, no write-only attributes", () => {
    const page = read(pkg.index.resources.edge_thing!.docs);
    const outputs = page.slice(page.indexOf("## Outputs"), page.indexOf("## Nested input structures"));
    expect(outputs).toContain("| `arn` | string | computed | The ARN, computed by the provider. |");
    expect(outputs).toContain("| `enabled` | bool | as set, else computed |  |");
    expect(outputs).toContain("| `id` | string | computed |  |"); // the legacy id is not an input
    expect(outputs).toContain("| `secret_map` | map(string) | computed, sensitive |  |");
    expect(outputs).toContain("| `rule` | list([rule](#output-rule)) |  |  |");
    expect(outputs).not.toMatch(/\| (required|optional|block)\b/);
    expect(outputs).not.toContain("`password`");
  });

  it("shows how to use the type from Nix: without docs, the smallest valid inputs", () => {
    const page = read(pkg.index.resources.edge_minimal!.docs);
    const example = [
      "```nix",
      "{ providers, members, ... }:",
      "{",
      "  members.example = {",
      "    type = providers.edge.edge_minimal;",
      "    state = members.state;",
      "    inputs = {",
      '      value = "example-value";',
      "    };",
      "  };",
      "}",
      "```",
    ].join("\n");
    expect(page).toContain(`## Example Usage\n\n`);
    expect(page).toContain(example);
    expect(page.indexOf("## Example Usage")).toBeLessThan(page.indexOf("## Inputs"));
    const data = read(pkg.index.dataSources.edge_thing!.docs);
    expect(data).toContain("    type = providers.edge.data_edge_thing;\n    inputs = {");
    expect(data).not.toContain("members.state;");
  });

  it("documents data sources with their own registry path and an index page listing every type", () => {
    const page = read(pkg.index.dataSources.edge_thing!.docs);
    expect(page).toContain("# edge_thing (data source)");
    expect(page).toContain("wire type: `data.edge_thing`");
    expect(page).toContain("/docs/data-sources/thing)");
    expect(page).not.toContain("`lifecycle`");
    const index = read(pkg.index.docs);
    expect(index).toContain("- [edge_thing](resources/edge_thing.md)");
    expect(index).toContain("- [edge_thing](data-sources/edge_thing.md)");
    expect(read(pkg.index.metaArguments.docs)).toContain("| `token` | string | optional, sensitive |  |");
  });
});
