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
    expect(page).toContain("[registry documentation](https://registry.terraform.io/providers/example/edge/1.0.0/docs/resources/thing)");
    expect(page).toContain("A thing that exercises every schema feature.");
    expect(page).toContain("| `password` | string | optional, sensitive, write-only (not kept in state) |  |");
    expect(page).toContain("| `old_name` | string | optional, deprecated |  |");
    expect(page).toContain("| `rule` | list([rule](#input-rule)) | block, 1..5 items |  |");
    expect(page).toContain("| `pair` | tuple([string, number]) | optional |  |");
    expect(page).toContain('<a id="input-match"></a>\n### `match`');
    expect(page).toContain("| `arn` | string | computed | The ARN, computed by the provider. |");
    expect(page).toContain("| `name` | string | required | Name of the thing; `must` be \"unique\" ${not interpolated}.<br>Second line. |");
    expect(page).toContain("| `lifecycle` | [lifecycle](../meta-arguments.md#lifecycle) | optional, meta-argument |  |");
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
