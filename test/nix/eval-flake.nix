# flake.nix's outputs, evaluated with the stand-in lib (mini-lib.nix plus genAttrs) and the stand-in package set
# (stand-in-pkgs.nix), because neither nixpkgs nor NixOps4 can be installed on the test machine. Provider modules
# are called the way NixOps4's module system calls them (with `lib` and `resourceProviderSystem`; an
# `imports`-only module is followed into the module it imports); generating the provider package is a real
# Nix build (import from derivation).
{ standIn }:
let
  inherit (builtins) attrNames head length listToAttrs;
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

  moduleArgs = { inherit lib; resourceProviderSystem = system; };
  evalProvider =
    module:
    let value = module moduleArgs; in
    if value ? imports && length value.imports == 1 && attrNames value == [ "imports" ] then evalProvider (head value.imports) else value;

  summary =
    module:
    let provider = evalProvider module; in
    {
      inherit (provider) executable args name description sourceBaseUrl sourceName;
      resourceTypeCount = length (attrNames provider.resourceTypes);
      resourceTypes = builtins.mapAttrs (_: type: let t = import type { inherit lib; }; in { inherit (t) type requireState; }) {
        inherit (provider.resourceTypes) aws_s3_bucket aws_iam_user aws_iam_user_policy data_aws_caller_identity;
      };
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
  # Read at evaluation time, so the build runs (import from derivation).
  iamUserWithDocs = builtins.readFile "${outputs.lib.generateProviderPackage {
    inherit pkgs;
    terraformProvider = awsPackage;
    docs = ../../fixtures/aws-docs-sample;
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
