{
  description = "NixOps4 resource provider for any Terraform/OpenTofu provider, with typed resource types generated from the provider's schema";

  # Pin it with `nix flake lock`; users of this flake usually make it follow their own nixpkgs
  # (`inputs.nixops4-resources-opentofu.inputs.nixpkgs.follows = "nixpkgs";`).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      pkgsFor = system: nixpkgs.legacyPackages.${system};
      bridgeFor = pkgs: pkgs.callPackage ./nix/package.nix { };
    in
    {
      packages = forAllSystems (pkgs: rec {
        nixops4-resources-opentofu = bridgeFor pkgs;
        default = nixops4-resources-opentofu;
        # The same package: its bin/nixops4-state-s3 is the state provider.
        nixops4-state-s3 = nixops4-resources-opentofu;
      });

      overlays.default = final: prev: { nixops4-resources-opentofu = bridgeFor final; };

      # mkProviderModule, mkProviderModuleFor, generateProviderPackage (nix/lib.nix).
      lib = import ./nix/lib.nix {
        inherit pkgsFor;
        bridgeFor = pkgs: self.packages.${pkgs.stdenv.hostPlatform.system}.default or (bridgeFor pkgs);
      };

      # NixOps4 provider modules: `providers.aws = inputs.nixops4-resources-opentofu.modules.nixops4Provider.aws;`
      modules.nixops4Provider.aws = import ./nix/aws-provider.nix {
        inherit (self.lib) mkProviderModule;
        inherit pkgsFor;
      };

      # `providers.s3 = inputs.nixops4-resources-opentofu.modules.nixops4Provider.s3State;` then a state resource
      # `{ type = providers.s3.object; inputs.bucket = "…"; }` (docs/state-s3.md).
      modules.nixops4Provider.s3State = import ./nix/state-s3-provider.nix {
        inherit pkgsFor;
        bridgeFor = pkgs: self.packages.${pkgs.stdenv.hostPlatform.system}.default or (bridgeFor pkgs);
      };

      checks = forAllSystems (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        # The codegen run inside a Nix build, as mkProviderModule does at evaluation time.
        codegen-aws = self.lib.generateProviderPackage {
          inherit pkgs;
          terraformProvider = pkgs.terraform-providers.hashicorp_aws or pkgs.terraform-providers.aws;
        };
      });
    };
}
