import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEdgePackage } from "../../testkit/edge-fixture.js";
import { evalTypeInputs, MINI_LIB_DIR, nixEval, nixParse } from "../../testkit/nix.js";
import type { ProviderIndex } from "../generate-provider.js";

// Evaluation uses test/nix/mini-lib.nix, a self-written stand-in for nixpkgs lib (not installable here).
describe("generated Nix modules of the edge fixture", () => {
  let pkg: { dir: string; index: ProviderIndex; cleanup(): Promise<void> };
  beforeAll(async () => {
    pkg = await generateEdgePackage();
  });
  afterAll(() => pkg.cleanup());
  const typeModule = () => join(pkg.dir, pkg.index.resources.edge_thing!.nix);
  const base = 'name = "n"; zones = [ ]; list_nested = [ { cidr = "c"; } ];';
  const minimal = `${base} rule = [ { priority = 1; } ];`;

  it("all parse", async () => {
    const files = ["resources", "data-sources"].flatMap((d) =>
      readdirSync(join(pkg.dir, d))
        .filter((f) => f.endsWith(".nix"))
        .map((f) => join(pkg.dir, d, f)),
    );
    await expect(
      nixParse([...files, join(pkg.dir, "default.nix"), join(pkg.dir, "meta-arguments.nix")]),
    ).resolves.toBeUndefined();
  });

  it("evaluate valid inputs to what NixOps4 sends: every declared input, unset ones null or empty", async () => {
    const result = await evalTypeInputs(
      typeModule(),
      `{ ${minimal} "or" = "kw"; "with-dash" = "d"; "9lives" = "cat"; pair = [ "a" 1 ];
         endpoint = { host = "h"; port = 1; }; map_nested.a.weight = 2; named.x.value = "v";
         provider = { region = "r"; }; lifecycle.prevent_destroy = true; import.id = "i"; }`,
    );
    expect(result.error).toBe("");
    const value = result.value as {
      type: string;
      requireState: boolean;
      inputs: Record<string, unknown>;
      outputNames: string[];
    };
    expect(value.type).toBe("edge_thing");
    expect(value.requireState).toBe(true);
    expect(value.inputs).toMatchObject({
      name: "n",
      or: "kw",
      "with-dash": "d",
      "9lives": "cat",
      size: null,
      setting: [],
      named: { x: { value: "v" } },
      group_block: { level: null },
      single_block: null,
      endpoint: { host: "h", port: 1, tls: null },
      rule: [{ priority: 1, match: [], fallback: [] }],
      provider: { region: "r", token: null, retries: null, assume_role: [] },
      lifecycle: { prevent_destroy: true, create_before_destroy: null, ignore_changes: null },
      import: { id: "i" },
    });
    expect(Object.keys(value.inputs)).not.toContain("arn");
    expect(value.outputNames).toEqual(expect.arrayContaining(["arn", "id", "secret_map", "observed", "tags_all"]));
    expect(value.outputNames).not.toContain("password"); // write-only: an input, never in state
  });

  it("fails on a wrong attribute name or type, naming the option path", async () => {
    const typo = await evalTypeInputs(
      typeModule(),
      `{ ${base} rule = [ { priority = 1; match = [ { feild = "x"; } ]; } ]; }`,
    );
    expect(typo.error).toContain("inputs.rule.0.match.0: unknown option(s): feild");
    const wrongType = await evalTypeInputs(typeModule(), `{ ${minimal} map_nested.a.weight = "heavy"; }`);
    expect(wrongType.error).toContain('inputs.map_nested.a.weight: expected number, got string "heavy"');
    const missing = await evalTypeInputs(
      typeModule(),
      `{ zones = [ ]; list_nested = [ { cidr = "c"; } ]; rule = [ { priority = 1; } ]; }`,
    );
    expect(missing.error).toContain("inputs.name: required option has no value");
    const tuple = await evalTypeInputs(typeModule(), `{ ${minimal} pair = [ "a" ]; }`);
    expect(tuple.error).toContain("inputs.pair: expected tuple of 2 values, got a list");
    const provider = await evalTypeInputs(typeModule(), `{ ${minimal} provider.assume_role = [ { } ]; }`);
    expect(provider.error).toContain("inputs.provider.assume_role.0.role_arn: required option has no value");
  });

  it("check item counts at evaluation, naming the option path and the bound", async () => {
    const two = await evalTypeInputs(typeModule(), `{ ${minimal} legacy = [ { flag = true; } { flag = false; } ]; }`);
    expect(two.error).toContain("inputs.legacy: expected list of submodule, at most 1 item, got a list");
    const nested = await evalTypeInputs(
      typeModule(),
      `{ ${base} rule = [ { priority = 1; match = [ { field = "a"; } { field = "b"; } ]; } ]; }`,
    );
    expect(nested.error).toContain("inputs.rule.0.match: expected list of submodule, at most 1 item");
    const none = await evalTypeInputs(typeModule(), `{ ${base} rule = [ ]; }`);
    expect(none.error).toContain("inputs.rule: expected list of submodule, 1..5 items, got a list");
    const one = await evalTypeInputs(typeModule(), `{ ${minimal} legacy = [ { flag = true; } ]; }`);
    expect(one.error).toBe("");
  });

  it("start every resource's provider block from the provider module's configuration, the resource's own settings winning", async () => {
    const configuration = '{ region = "from-provider"; retries = 3; }';
    const inherited = await evalTypeInputs(typeModule(), `{ ${minimal} }`, { configuration });
    expect((inherited.value as { inputs: { provider: unknown } }).inputs.provider).toEqual({
      region: "from-provider",
      retries: 3,
      token: null,
      assume_role: [],
    });
    const overridden = await evalTypeInputs(typeModule(), `{ ${minimal} provider.region = "own"; }`, { configuration });
    expect((overridden.value as { inputs: { provider: unknown } }).inputs.provider).toEqual({
      region: "own",
      retries: 3,
      token: null,
      assume_role: [],
    });
    const unset = await evalTypeInputs(typeModule(), `{ ${minimal} }`);
    expect((unset.value as { inputs: { provider: unknown } }).inputs.provider).toBeNull();
    const wrong = await evalTypeInputs(typeModule(), `{ ${minimal} }`, { configuration: "{ region = 1; }" });
    expect(wrong.error).toContain("providers.provider.configuration.region: expected string, got int 1");
  });

  it("set _member to the member's path (NixOps4's absoluteMemberPath), also for nested members and data sources", async () => {
    const top = await evalTypeInputs(typeModule(), `{ ${minimal} }`, { memberPath: '[ "bucket" ]' });
    expect((top.value as { inputs: { _member: unknown } }).inputs._member).toEqual(["bucket"]);
    const nested = await evalTypeInputs(typeModule(), `{ ${minimal} }`, { memberPath: '[ "site" "assets" ]' });
    expect((nested.value as { inputs: { _member: unknown } }).inputs._member).toEqual(["site", "assets"]);
    const data = await evalTypeInputs(join(pkg.dir, pkg.index.dataSources.edge_thing!.nix), `{ name = "n"; }`, {
      memberPath: '[ "lookup" ]',
    });
    expect((data.value as { inputs: Record<string, unknown> }).inputs).toMatchObject({
      _member: ["lookup"],
      provider: null,
    });
    const reserved = await evalTypeInputs(typeModule(), `{ ${minimal} _member = [ "other" ]; }`);
    expect(reserved.error).toContain("inputs._member: read-only, but it's set multiple times");
  });

  it("wire the types to the bridge in the provider module, data sources as data.<name>", async () => {
    const result = await nixEval(join(MINI_LIB_DIR, "eval-provider.nix"), {
      providerDir: pkg.dir,
      bridgeArgs: '{ bridge = "/bin/bridge"; pluginDir = "/mirror"; extraArgs = [ "--verbose" ]; }',
    });
    expect(result.error).toBe("");
    expect(result.value).toEqual({
      executable: "/bin/bridge",
      args: ["--provider", "example/edge@1.0.0", "--plugin-dir", "/mirror", "--verbose"],
      name: "example/edge 1.0.0 (OpenTofu bridge)",
      sourceName: "example/edge 1.0.0",
      resourceTypes: {
        edge_thing: { type: "edge_thing", requireState: true },
        edge_minimal: { type: "edge_minimal", requireState: true },
        data_edge_thing: { type: "data.edge_thing", requireState: false },
      },
    });
    const defaults = await nixEval(join(MINI_LIB_DIR, "eval-provider.nix"), { providerDir: pkg.dir });
    expect(defaults.value).toMatchObject({
      executable: "nixops4-resources-opentofu",
      args: ["--provider", "example/edge@1.0.0"],
    });
  });
});
