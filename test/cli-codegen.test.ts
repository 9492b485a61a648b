// The built `nixops4-opentofu codegen`: usage errors, and dumping the schema with the real engine.
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { dir as tmpDir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { awsSchemaFile } from "../testkit/aws-schema.js";
import { runCli } from "../testkit/cli.js";
import { EDGE_SCHEMA_FILE } from "../testkit/edge-fixture.js";
import { engineBinary, pluginMirrorDir } from "../testkit/machine.js";
import { repoRoot } from "../testkit/repo-root.js";

function treeDigest(root: string): Map<string, string> {
  const digests = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else digests.set(relative(root, path), createHash("sha256").update(readFileSync(path)).digest("hex"));
    }
  };
  walk(root);
  return digests;
}

describe("nixops4-opentofu codegen usage", () => {
  const usageCases: [string[], RegExp][] = [
    [["codegen", "--schema", EDGE_SCHEMA_FILE], /--out DIR is required/],
    [
      ["codegen", "--schema", EDGE_SCHEMA_FILE, "--out", "/tmp/x"],
      /version cannot be read from a schema; add --provider-version/,
    ],
    [["codegen", "--out", "/tmp/x"], /give --schema FILE or --provider SOURCE@VERSION/],
    [
      ["codegen", "--provider", "hashicorp/aws", "--out", "/tmp/x"],
      /--provider: provider "hashicorp\/aws" must be SOURCE@VERSION/,
    ],
    [
      ["codegen", "--schema", "/nonexistent.json", "--provider-version", "1.0.0", "--out", "/tmp/x"],
      /cannot read --schema \/nonexistent\.json/,
    ],
    [["codegen", "--frobnicate"], /Unknown option '--frobnicate'/],
    [
      [
        "codegen",
        "--schema",
        EDGE_SCHEMA_FILE,
        "--provider",
        "a/b@1.0.0",
        "--provider-version",
        "1.0.0",
        "--out",
        "/tmp/x",
      ],
      /either --provider SOURCE@VERSION or --provider-source/,
    ],
    [
      ["codegen", "--schema", EDGE_SCHEMA_FILE, "--provider-version", "1.0.0", "--plugin-dir", "/p", "--out", "/tmp/x"],
      /--engine and --plugin-dir only apply/,
    ],
    [["regenerate"], /unknown command "regenerate"; commands: codegen/],
  ];
  it.each(usageCases)("%j exits 2 with a one-line message", async (args, message) => {
    const result = await runCli(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe("");
  });

  it("prints its usage with --help", async () => {
    const result = await runCli(["codegen", "--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("usage: nixops4-opentofu codegen --out DIR");
  });

  it("fails with exit 1 and the reason when the schema has a reserved-name collision", async () => {
    const tmp = await tmpDir({ unsafeCleanup: true });
    const document = JSON.parse(readFileSync(EDGE_SCHEMA_FILE, "utf8"));
    document.provider_schemas[
      "registry.terraform.io/example/edge"
    ].resource_schemas.edge_minimal.block.attributes.lifecycle = { type: "string", optional: true };
    writeFileSync(join(tmp.path, "schema.json"), JSON.stringify(document));
    const result = await runCli([
      "codegen",
      "--schema",
      join(tmp.path, "schema.json"),
      "--provider-version",
      "1.0.0",
      "--out",
      join(tmp.path, "out"),
    ]);
    await tmp.cleanup();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'resource edge_minimal: attribute "lifecycle" collides with the reserved input "lifecycle"',
    );
  });

  it("regenerates over an earlier package in place and removes only what is no longer generated", async () => {
    const tmp = await tmpDir({ unsafeCleanup: true });
    const out = join(tmp.path, "out");
    const args = ["codegen", "--schema", EDGE_SCHEMA_FILE, "--provider-version", "1.0.0", "--out", out];
    expect((await runCli(args)).exitCode).toBe(0);
    const first = treeDigest(out);
    // A second name outside the package for every file: overwritten in place, it sees the new text.
    mkdirSync(join(tmp.path, "links"));
    const links = [...first.keys()].map((file, i) => {
      linkSync(join(out, file), join(tmp.path, "links", String(i)));
      return [file, join(tmp.path, "links", String(i))] as const;
    });
    // What a type dropped by a newer provider version, or a stray file, leaves behind.
    mkdirSync(join(out, "resources", "nested"));
    for (const stale of [
      "resources/edge_gone.nix",
      "resources/edge_gone.ts",
      "data-sources/edge_gone.md",
      "resources/nested/x.json",
      "stray.txt",
    ]) {
      writeFileSync(join(out, stale), "old");
    }
    writeFileSync(join(out, "resources", "edge_minimal.nix"), "# edited by hand\n");

    const again = await runCli(args);
    expect(again.exitCode).toBe(0);
    expect(treeDigest(out)).toEqual(first);
    expect(existsSync(join(out, "resources", "nested"))).toBe(false);
    // The same files, overwritten, not deleted and created anew (which cost 2–3× the time on this disk).
    for (const [file, link] of links)
      expect(readFileSync(link, "utf8"), file).toBe(readFileSync(join(out, file), "utf8"));
    expect(readFileSync(links.find(([file]) => file === "resources/edge_minimal.nix")![1], "utf8")).not.toContain(
      "edited by hand",
    );
    await tmp.cleanup();
  });

  it("takes the descriptions the schema lacks from the provider's docs (--docs), into all four outputs", async () => {
    const tmp = await tmpDir({ unsafeCleanup: true });
    const withDocs = join(tmp.path, "with");
    const without = join(tmp.path, "without");
    const docsDir = join(repoRoot, "fixtures", "edge-docs");
    const result = await runCli([
      "codegen",
      "--schema",
      EDGE_SCHEMA_FILE,
      "--provider-version",
      "1.0.0",
      "--docs",
      docsDir,
      "--out",
      withDocs,
    ]);
    expect(result.stderr).toContain(`read the docs of 1 resources and 1 data sources from ${docsDir}`);
    expect(result.exitCode).toBe(0);
    expect(
      (await runCli(["codegen", "--schema", EDGE_SCHEMA_FILE, "--provider-version", "1.0.0", "--out", without]))
        .exitCode,
    ).toBe(0);
    const read = (root: string, file: string) => readFileSync(join(root, file), "utf8");

    const nix = read(withDocs, "resources/edge_thing.nix");
    expect(nix).toContain('description = "Size of the thing in units.');
    expect(nix).toContain('description = "Field to look at.'); // rule.match.field, from "The `match` block supports"
    expect(nix).toContain('description = "Name of the thing;'); // the schema's own description stays
    expect(nix).not.toContain("Not taken");
    expect(read(without, "resources/edge_thing.nix")).not.toContain("Size of the thing");
    expect(read(withDocs, "resources/edge_thing.md")).toMatch(
      /\| `size` \| number \| optional \| Size of the thing in units\. \|/,
    );
    expect(read(withDocs, "resources/edge_thing.ts")).toMatch(
      /\/\*\* Zones to place the thing in\. \*\/\n {2}zones: string\[\];/,
    );
    expect(JSON.parse(read(withDocs, "resources/edge_thing.schema.json")).properties.size.description).toBe(
      "Size of the thing in units.",
    );
    // The type's summary, where the schema has none.
    expect(read(withDocs, "data-sources/edge_thing.md")).toContain("Looks a thing up by name.");
    expect(read(withDocs, "data-sources/edge_thing.ts")).toContain(
      " * Inputs of data source edge_thing of example/edge 1.0.0\n *\n * Looks a thing up by name.\n */",
    );
    expect(JSON.parse(read(withDocs, "data-sources/edge_thing.schema.json")).description).toBe(
      "Looks a thing up by name.",
    );
    expect(read(withDocs, "data-sources/edge_thing.nix")).toContain("Looks a thing up by name.");
    expect(read(withDocs, "resources/edge_thing.md")).not.toContain("the schema's own summary wins");
    expect(read(withDocs, "meta-arguments.nix")).toContain(
      "API token. Can also be set with the `EDGE_TOKEN` environment variable.",
    );

    const missing = await runCli([
      "codegen",
      "--schema",
      EDGE_SCHEMA_FILE,
      "--provider-version",
      "1.0.0",
      "--docs",
      tmp.path,
      "--out",
      join(tmp.path, "x"),
    ]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`--docs ${tmp.path}: no provider documentation found`);
    await tmp.cleanup();
  });

  it("refuses to write into a non-empty directory that is not a generated package", async () => {
    const tmp = await tmpDir({ unsafeCleanup: true });
    writeFileSync(join(tmp.path, "precious.txt"), "keep me");
    const result = await runCli([
      "codegen",
      "--schema",
      EDGE_SCHEMA_FILE,
      "--provider-version",
      "1.0.0",
      "--out",
      tmp.path,
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("is not empty and holds no generated index.json");
    expect(readFileSync(join(tmp.path, "precious.txt"), "utf8")).toBe("keep me");
    await tmp.cleanup();
  });
});

describe("nixops4-opentofu codegen --provider (schema dumped by the real engine)", () => {
  it("writes byte for byte what the same schema given as a file produces, also when run again over it", async () => {
    const tmp = await tmpDir({ unsafeCleanup: true });
    const fromEngine = join(tmp.path, "engine");
    const fromFile = join(tmp.path, "file");
    const dumped = await runCli(
      [
        "codegen",
        "--provider",
        "hashicorp/aws@5.100.0",
        "--engine",
        engineBinary(),
        "--plugin-dir",
        pluginMirrorDir(),
        "--out",
        fromEngine,
      ],
      { TF_CLI_CONFIG_FILE: "/nonexistent/terraformrc" },
    );
    expect(dumped.stderr).toContain("wrote 1526 resources and 608 data sources");
    expect(dumped.exitCode).toBe(0);
    const read = await runCli([
      "codegen",
      "--schema",
      await awsSchemaFile(),
      "--provider-version",
      "5.100.0",
      "--out",
      fromFile,
    ]);
    expect(read.exitCode).toBe(0);
    const first = treeDigest(fromFile);
    expect(first.size).toBe(4 * 2134 + 7); // + README.md, default.nix, index.json, meta-arguments.{nix,schema.json,ts,md}
    expect(treeDigest(fromEngine)).toEqual(first);
    const again = await runCli([
      "codegen",
      "--schema",
      await awsSchemaFile(),
      "--provider-version",
      "5.100.0",
      "--out",
      fromFile,
    ]);
    expect(again.exitCode).toBe(0);
    expect(treeDigest(fromFile)).toEqual(first);
    await tmp.cleanup();
  }, 180_000);
});
