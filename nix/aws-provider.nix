# `modules.nixops4Provider.aws`: hashicorp/aws with the bridge, OpenTofu and the provider binary from nixpkgs, for
# the system NixOps4 runs on. Generated packages are not committed to this repository (providers/README.md), so
# the package is generated at evaluation time from nixpkgs' provider (import from derivation): the Nix types
# always match the binary that runs. To avoid the import from derivation, commit a generated package to your
# own repository and use lib.mkProviderModule { …; generated = ./that/package; } instead.
{
  mkProviderModule,
  pkgsFor,
}:
{ resourceProviderSystem, ... }:
let
  pkgs = pkgsFor resourceProviderSystem;
  providers = pkgs.terraform-providers;
in
{
  imports = [
    (mkProviderModule {
      inherit pkgs;
      # nixpkgs names providers owner_repo since 2025; older releases call it `aws`.
      terraformProvider = providers.hashicorp_aws or providers.aws;
    })
  ];
}
