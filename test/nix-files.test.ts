// The hand-written Nix of the repository (flake.nix, nix/, examples/, test/nix/) parses with Nix 2.8, and the
// Hetzner example, whose provider schema cannot be obtained here, evaluates to the members and provider module
// it documents (test/nix/eval-hetzner-example.nix; generated files are parsed where they are generated:
// test/codegen-aws.test.ts and test/nix-flake.test.ts).
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { nixEval, nixParse } from "../testkit/nix.js";
import { repoRoot } from "../testkit/repo-root.js";
import { TEST_NIX_DIR } from "./nix/flake-eval.js";

function nixFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return nixFiles(path);
    return name.endsWith(".nix") ? [path] : [];
  });
}

describe("hand-written Nix files", () => {
  const files = [
    join(repoRoot, "flake.nix"),
    ...["nix", "examples", "test/nix"].flatMap((d) => nixFiles(join(repoRoot, d))),
  ];

  it("are all found", () => {
    expect(files.map((f) => relative(repoRoot, f))).toEqual(
      expect.arrayContaining([
        "flake.nix",
        "nix/package.nix",
        "nix/lib.nix",
        "nix/codegen-package.nix",
        "nix/aws-provider.nix",
        "examples/aws/flake.nix",
        "examples/aws/deployment.nix",
        "examples/hetzner/flake.nix",
        "examples/hetzner/deployment.nix",
        "test/nix/mini-lib.nix",
        "test/nix/stand-in-pkgs.nix",
      ]),
    );
  });

  it("parse with nix-instantiate --parse", async () => {
    await nixParse(files);
  });
});

describe("examples/hetzner/deployment.nix (stand-ins for the hcloud types and the package set)", () => {
  it("declares an SSH key and a server that refers to the key's name output, both with state", async () => {
    const result = await nixEval(join(TEST_NIX_DIR, "eval-hetzner-example.nix"), {});
    expect(result.error).toBe("");
    const example = result.value as Record<string, any>;
    expect(example.memberNames).toEqual(["server", "sshKey", "state"]);
    expect(example.sshKey).toEqual({
      type: "hcloud_ssh_key",
      state: "state",
      inputs: {
        name: "nixops4-example-admin",
        public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExample admin@example",
        labels: { "managed-by": "nixops4" },
      },
    });
    expect(example.server).toEqual({
      type: "hcloud_server",
      state: "state",
      inputs: {
        name: "nixops4-example",
        server_type: "cx22",
        image: "debian-12",
        location: "nbg1",
        ssh_keys: ["nixops4-example-admin"],
        public_net: [{ ipv4_enabled: true, ipv6_enabled: true }],
        labels: { "managed-by": "nixops4" },
      },
    });
  });

  it("generates its provider module from nixpkgs' hcloud package for the system NixOps4 runs on", async () => {
    const example = (await nixEval(join(TEST_NIX_DIR, "eval-hetzner-example.nix"), {})).value as Record<string, any>;
    expect(example.hcloudProvider).toEqual({
      recordedPackageArguments: {
        bridge: "/bridge-for-aarch64-linux/bin/nixops4-resources-opentofu",
        engine: "/opentofu-for-aarch64-linux/bin/tofu",
        pluginDir: "/hetznercloud_hcloud-for-aarch64-linux/libexec/terraform-providers",
        extraArgs: [],
      },
    });
    expect(example.codegen.name).toBe("nixops4-opentofu-terraform-provider-hcloud-1.52.0");
    expect(example.codegen.script).toContain(
      'nixops4-opentofu codegen \\\n  --provider "registry.terraform.io/hetznercloud/hcloud@1.52.0" \\\n' +
        '  --engine "/opentofu-for-aarch64-linux/bin/tofu" \\\n' +
        '  --plugin-dir "/hetznercloud_hcloud-for-aarch64-linux/libexec/terraform-providers" \\\n  --out "$out"',
    );
    // With a source tree, --docs is passed only if the tree holds docs (a source without them gives no descriptions).
    expect(example.codegenWithSrc).toContain(
      'for d in "/hcloud-source" "/hcloud-source/docs" "/hcloud-source/website/docs"; do',
    );
    expect(example.codegenWithSrc).toContain('docsFlag="--docs /hcloud-source"');
    expect(example.codegenWithSrc).toContain(
      '--plugin-dir "/hetznercloud_hcloud-for-aarch64-linux/libexec/terraform-providers" $docsFlag\\\n',
    );
  });
});
