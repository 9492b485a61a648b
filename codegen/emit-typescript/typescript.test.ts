import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEdgePackage } from "../../testkit/edge-fixture.js";
import { schemaTypeScriptDisagreements } from "../../testkit/schema-typescript-agreement.js";
import { typeCheckDir } from "../../testkit/typescript.js";
import type { ProviderIndex } from "../generate-provider.js";
import { pascalCase, typeScriptNames } from "./typescript.js";
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";

describe("generated TypeScript of the edge fixture", () => {
  let pkg: { dir: string; index: ProviderIndex; cleanup(): Promise<void> };
  beforeAll(async () => {
    pkg = await generateEdgePackage();
  });
  afterAll(() => pkg.cleanup());

  it("compiles under --strict and types inputs and outputs as the schema says", async () => {
    // Every @ts-expect-error must meet an error, so the wrong values below prove the types are not too loose.
    writeFileSync(
      join(pkg.dir, "usage.ts"),
      `import type { EdgeThingInputs, EdgeThingOutputs } from "./resources/edge_thing.js";
import type { EdgeThingDataInputs } from "./data-sources/edge_thing.js";
export const ok: EdgeThingInputs = {
  name: "n", zones: ["a"], list_nested: [{ cidr: "c" }], rule: [{ priority: 1, match: [{ field: "f" }] }],
  pair: ["a", 1], endpoint: { host: "h", port: 1 }, map_nested: { a: { weight: 1 } }, or: "x", "with-dash": null,
  provider: { region: "r", assume_role: [{ role_arn: "a" }] }, lifecycle: { prevent_destroy: true }, import: { id: "i" },
  anything: { any: ["thing"] }, named: { k: { value: "v" } }, group_block: { level: 1 },
};
// @ts-expect-error name is required
export const missing: EdgeThingInputs = { zones: [], list_nested: [], rule: [] };
// @ts-expect-error size is a number
export const wrongType: EdgeThingInputs = { ...ok, size: "3" };
// @ts-expect-error pair is a [string, number] tuple
export const wrongTuple: EdgeThingInputs = { ...ok, pair: ["a", "b"] };
// @ts-expect-error computed-only attributes are not inputs
export const computed: EdgeThingInputs = { ...ok, arn: "x" };
// @ts-expect-error write-only attributes are inputs only, never in state
export const writeOnly: EdgeThingOutputs["password"] = null;
// @ts-expect-error port is required in the endpoint object
export const object: EdgeThingInputs = { ...ok, endpoint: { host: "h" } };
export function read(o: EdgeThingOutputs): string | null | undefined {
  const v: Record<string, string> | null | undefined = o.secret_map;
  void v;
  return o.single_nested?.version_id ?? o.arn;
}
export const data: EdgeThingDataInputs = { name: "n", id: "lookup", filter: [{ name: "a", values: ["b"] }] };
`,
    );
    expect(await typeCheckDir(pkg.dir)).toBe("");
  });

  it("accepts exactly what the input JSON Schema accepts (cross-checked with json-schema-to-typescript)", async () => {
    const types: [ResourceMode, string][] = [
      ...Object.keys(pkg.index.resources).map((t) => ["managed", t] as ["managed", string]),
      ...Object.keys(pkg.index.dataSources).map((t) => ["data", t] as ["data", string]),
    ];
    expect(types).toHaveLength(3);
    expect(await schemaTypeScriptDisagreements(pkg.dir, pkg.index, types)).toBe("");

    // The check is not blind: a required attribute made optional, or a number made a string, is reported.
    const file = join(pkg.dir, pkg.index.resources.edge_minimal!.typescript);
    const original = readFileSync(file, "utf8");
    writeFileSync(file, original.replace("  value: string;", "  value?: string;"));
    expect(await schemaTypeScriptDisagreements(pkg.dir, pkg.index, [["managed", "edge_minimal"]])).toMatch(
      /Type 'EdgeMinimalInputs' is not assignable to type 'FromJsonSchema'\.\s+Types of property 'value' are incompatible/,
    );
    writeFileSync(file, original.replace("  value: string;", "  value: string | number;"));
    expect(await schemaTypeScriptDisagreements(pkg.dir, pkg.index, [["managed", "edge_minimal"]])).toMatch(
      /Types of property 'value' are incompatible/,
    );
    writeFileSync(file, original);
  });

  it("documents flags in doc comments and marks deprecated members", () => {
    const text = readFileSync(join(pkg.dir, pkg.index.resources.edge_thing!.typescript), "utf8");
    expect(text).toMatch(/\(sensitive; write-only \(not kept in state\)\) \*\/\n {2}password\?: string \| null;/);
    expect(text).toContain("  /** @deprecated */\n  old_name?: string | null;");
    expect(text).toMatch(/\(at most 1 item\)\n {3}\* @deprecated\n {3}\*\/\n {2}legacy\?: LegacyInput\[\] \| null;/);
    expect(text).toContain("export interface MatchOrFallbackInput {");
    expect(text).not.toMatch(/interface (Match|Fallback)Input\b/);
  });
});

describe("names", () => {
  it("turns Terraform names into TypeScript type names", () => {
    expect(pascalCase("aws_s3_bucket")).toBe("AwsS3Bucket");
    expect(pascalCase("9lives")).toBe("T9lives");
    expect(typeScriptNames("aws_ami", "data")).toEqual({ inputs: "AwsAmiDataInputs", outputs: "AwsAmiDataOutputs" });
  });
});
