# flake.nix's outputs, evaluated with the stand-in lib (mini-lib.nix plus genAttrs) and the stand-in package set
# (stand-in-pkgs.nix), because neither nixpkgs nor NixOps4 can be installed on the test machine. Provider modules
# are evaluated the way NixOps4 evaluates them (provider-module.nix, with `resourceProviderSystem`); generating
# the provider package is a real Nix build (import from derivation).
{ standIn }:
let
  inherit (builtins) attrNames length listToAttrs;
  lib = import ./mini-lib.nix // {
    genAttrs = names: f: listToAttrs (map (name: { inherit name; value = f name; }) names);
  };
  pkgs = import ./stand-in-pkgs.nix standIn;
  system = pkgs.stdenv.hostPlatform.system;
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" system ] (_: pkgs);
  };
  flake = import ../../flake.nix;
  outputs = flake.outputs { self = outputs; inherit nixpkgs; };

  summary =
    module:
    let
      provider = import ./provider-module.nix { modules = [ module ]; args.resourceProviderSystem = system; };
      inherit (provider) config;
    in
    {
      inherit (config) executable args name description sourceBaseUrl sourceName;
      resourceTypeCount = length (attrNames config.resourceTypes);
      resourceTypes = lib.genAttrs [ "aws_s3_bucket" "aws_iam_user" "aws_iam_user_policy" "data_aws_caller_identity" ]
        (name: let t = provider.resourceType name; in { inherit (t) type requireState; });
    };
  awsPackage = pkgs.terraform-providers.hashicorp_aws;
in
{
  description = flake.description;
  inputs = flake.inputs;
  package = outputs.packages.${system}.default.outPath;
  overlayPackage = (outputs.overlays.default pkgs pkgs).nixops4-resources-opentofu.outPath;
  checks = attrNames outputs.checks.${system};
  generated = (outputs.lib.generateProviderPackage { inherit pkgs; terraformProvider = awsPackage; }).outPath;
  # Read at evaluation time, so the builds run (import from derivation). By default the descriptions come from the
  # provider package's `src`; `docs = null` turns them off.
  iamUserWithDocs = builtins.readFile "${outputs.lib.generateProviderPackage {
    inherit pkgs;
    terraformProvider = awsPackage;
  }}/resources/aws_iam_user.nix";
  iamUserWithoutDocs = builtins.readFile "${outputs.lib.generateProviderPackage {
    inherit pkgs;
    terraformProvider = awsPackage;
    docs = null;
  }}/resources/aws_iam_user.nix";
  engineExe = "${pkgs.opentofu}/bin/${pkgs.opentofu.meta.mainProgram}";
  pluginDir = "${awsPackage}/libexec/terraform-providers";
  mkProviderModule = summary (outputs.lib.mkProviderModule { inherit pkgs; terraformProvider = awsPackage; });
  mkProviderModuleFor = summary (outputs.lib.mkProviderModuleFor {
    terraformProvider = p: p.terraform-providers.hashicorp_aws;
    extraArgs = [ "--example-extra" ];
  });
  awsModule = summary outputs.modules.nixops4Provider.aws;
}
