# `modules.nixops4Provider.aws`: hashicorp/aws with the bridge, OpenTofu and the provider binary from nixpkgs,
# for the system NixOps4 runs on. When this repository carries a generated package of the same provider version
# as nixpkgs (providers/aws/index.json), that one is used; otherwise the package is generated at evaluation
# time from nixpkgs' provider (import from derivation), so the Nix types always match the binary that runs.
{
  mkProviderModule,
  pkgsFor,
  committed,
}:
{ resourceProviderSystem, ... }:
let
  pkgs = pkgsFor resourceProviderSystem;
  providers = pkgs.terraform-providers;
  # nixpkgs names providers owner_repo since 2025; older releases call it `aws`.
  terraformProvider = providers.hashicorp_aws or providers.aws;
  index = committed + "/index.json";
  committedVersion =
    if builtins.pathExists index then (builtins.fromJSON (builtins.readFile index)).provider.version else null;
  arguments = { inherit pkgs terraformProvider; };
in
{
  imports = [
    (mkProviderModule (
      if committedVersion == terraformProvider.version then arguments // { generated = committed; } else arguments
    ))
  ];
}
