// flake.nix and nix/ evaluated with a stand-in lib and package set (nixpkgs and NixOps4 cannot be installed here;
// see test/nix/stand-in-pkgs.nix): the provider modules that lib.mkProviderModule, lib.mkProviderModuleFor and
// modules.nixops4Provider.aws produce, with the codegen really run inside a Nix build (import from derivation)
// on a provider laid out as nixpkgs' terraform-providers packages are.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { nixParse } from "../testkit/nix.js";
import { nixEvalBuilding, standInArgs, TEST_NIX_DIR } from "./nix/flake-eval.js";

interface ProviderSummary {
  executable: string;
  args: string[];
  name: string;
  description: string;
  sourceBaseUrl: string;
  sourceName: string;
  resourceTypeCount: number;
  resourceTypes: Record<string, { type: string; requireState: boolean }>;
}

interface FlakeEval {
  description: string;
  inputs: Record<string, { url: string }>;
  package: string;
  overlayPackage: string;
  checks: string[];
  generated: string;
  iamUserWithDocs: string;
  iamUserWithoutDocs: string;
  engineExe: string;
  pluginDir: string;
  mkProviderModule: ProviderSummary;
  mkProviderModuleFor: ProviderSummary;
  awsModule: ProviderSummary;
}

let flake: FlakeEval;

beforeAll(async () => {
  const result = await nixEvalBuilding(join(TEST_NIX_DIR, "eval-flake.nix"), { standIn: await standInArgs() });
  expect(result.error).toBe("");
  flake = result.value as FlakeEval;
}, 300_000);

const storePath = expect.stringMatching(/^\/nix\/store\/[a-z0-9]{32}-/);

describe("flake outputs", () => {
  it("packages.default is the bridge package, also from the overlay; checks build it and run the codegen", () => {
    expect(flake.inputs).toEqual({ nixpkgs: { url: "github:NixOS/nixpkgs/nixos-unstable" } });
    expect(flake.package).toEqual(storePath);
    expect(flake.overlayPackage).toBe(flake.package);
    expect(flake.checks).toEqual(["codegen-aws", "package"]);
  });
});

describe("lib.mkProviderModule { pkgs; terraformProvider; }", () => {
  it("runs the bridge from the store with the engine and the provider's plugin dir from the store", () => {
    const provider = flake.mkProviderModule;
    expect(provider.executable).toBe(`${flake.package}/bin/nixops4-resources-opentofu`);
    expect(flake.engineExe).toEqual(expect.stringMatching(/^\/nix\/store\/.*\/bin\/(tofu|terraform)$/));
    expect(flake.pluginDir).toEqual(
      expect.stringMatching(
        /^\/nix\/store\/[a-z0-9]{32}-terraform-provider-aws-5\.100\.0\/libexec\/terraform-providers$/,
      ),
    );
    // The full source address: tofu would otherwise look for registry.opentofu.org/hashicorp/aws, which a
    // nixpkgs provider package does not hold.
    expect(provider.args).toEqual([
      "--provider",
      "registry.terraform.io/hashicorp/aws@5.100.0",
      "--engine",
      flake.engineExe,
      "--plugin-dir",
      flake.pluginDir,
    ]);
  });

  it("lists every resource type of the provider, managed ones requiring state, data sources as data.<name>", () => {
    const provider = flake.mkProviderModule;
    expect(provider.resourceTypeCount).toBe(2134);
    expect(provider.resourceTypes).toEqual({
      aws_s3_bucket: { type: "aws_s3_bucket", requireState: true },
      aws_iam_user: { type: "aws_iam_user", requireState: true },
      aws_iam_user_policy: { type: "aws_iam_user_policy", requireState: true },
      data_aws_caller_identity: { type: "data.aws_caller_identity", requireState: false },
    });
    expect(provider).toMatchObject({
      sourceBaseUrl: "https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs",
      sourceName: "registry.terraform.io/hashicorp/aws 5.100.0",
    });
    expect(provider.name).toContain("hashicorp/aws 5.100.0");
  });

  it("the package generated inside the Nix build is complete and every Nix file in it parses", async () => {
    const index = JSON.parse(readFileSync(join(flake.generated, "index.json"), "utf8")) as {
      provider: { source: string; version: string };
      resources: Record<string, { nix: string }>;
      dataSources: Record<string, { nix: string }>;
    };
    expect(index.provider).toMatchObject({ source: "registry.terraform.io/hashicorp/aws", version: "5.100.0" });
    const files = [...Object.values(index.resources), ...Object.values(index.dataSources)].map((t) =>
      join(flake.generated, t.nix),
    );
    expect(files).toHaveLength(2134);
    expect(readdirSync(join(flake.generated, "resources")).filter((f) => f.endsWith(".nix"))).toHaveLength(1526);
    await nixParse([join(flake.generated, "default.nix"), join(flake.generated, "meta-arguments.nix"), ...files]);
  }, 120_000);

  it("takes the descriptions the schema lacks from the provider package's source (`src`) unless `docs = null`", () => {
    const user = flake.iamUserWithDocs;
    expect(user).toContain(
      'path = mkOption { type = nullOr str; default = null; description = "(Optional, default \\"/\\") Path the user is created under."; };',
    );
    expect(user).toContain('description = "Stable ID that AWS assigns to the user.";');
    // mkProviderModule and modules.nixops4Provider.aws use that same package.
    expect(readFileSync(join(flake.generated, "resources", "aws_iam_user.nix"), "utf8")).toBe(user);
    expect(flake.iamUserWithoutDocs).not.toContain("Path the user is created under");
    expect(flake.iamUserWithoutDocs).toContain("path = mkOption { type = nullOr str; default = null; };");
  });
});

describe("lib.mkProviderModuleFor (the package set chosen by resourceProviderSystem)", () => {
  it("gives the same provider module, with extraArgs appended", () => {
    const { args, ...rest } = flake.mkProviderModuleFor;
    const { args: directArgs, ...directRest } = flake.mkProviderModule;
    expect(rest).toEqual(directRest);
    expect(args).toEqual([...directArgs, "--example-extra"]);
  });
});

describe("modules.nixops4Provider.aws", () => {
  it("serves hashicorp/aws from nixpkgs with the engine and plugin dir from the store", () => {
    const provider = flake.awsModule;
    expect(provider.executable).toBe(`${flake.package}/bin/nixops4-resources-opentofu`);
    expect(provider.args).toEqual([
      "--provider",
      "registry.terraform.io/hashicorp/aws@5.100.0",
      "--engine",
      flake.engineExe,
      "--plugin-dir",
      flake.pluginDir,
    ]);
    expect(provider).toEqual(flake.mkProviderModule);
    expect(provider.resourceTypeCount).toBe(2134);
    expect(provider.resourceTypes.aws_s3_bucket).toEqual({ type: "aws_s3_bucket", requireState: true });
  });
});
