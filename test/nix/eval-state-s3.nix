# The s3State provider module as flake.nix exports it, and examples/s3-state/deployment.nix, with the stand-in lib
# and no builds (the package is a stand-in store path): the command NixOps4 would start, the `s3.object` type, and
# state inputs as NixOps4 would send them (every declared option, defaults filled in) for the test to give to the
# provider's own input parser.
{ stateInputs }:
let
  system = "x86_64-linux";
  lib = import ./mini-lib.nix // {
    genAttrs = names: f: builtins.listToAttrs (map (name: { inherit name; value = f name; }) names);
  };
  pkgs = { stdenv.hostPlatform.system = system; callPackage = _: _: { outPath = "/nix/store/stand-in-package"; }; };
  nixpkgs = { inherit lib; legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ] (_: pkgs); };
  outputs = (import ../../flake.nix).outputs { self = outputs; inherit nixpkgs; };
  provider = outputs.modules.nixops4Provider.s3State { inherit lib; resourceProviderSystem = system; };
  object = import provider.resourceTypes.object { inherit lib; };
  evalInputs = lib.evalOptions [ "members" "state" "inputs" ] object.inputs.options;

  example = import ../../examples/s3-state/deployment.nix {
    inputs.nixops4-resources-opentofu.modules.nixops4Provider = { s3State = "s3State module"; aws = "aws module"; };
  };
  config = example {
    providers = { s3.object = "s3.object"; aws = { aws_s3_bucket = "aws_s3_bucket"; aws_s3_bucket_versioning = "aws_s3_bucket_versioning"; }; };
    members = { state.memberName = "state"; assets = { memberName = "assets"; outputs.id = "assets-id"; }; };
  };
in
{
  inherit (provider) executable args name;
  packageOutput = outputs.packages.${system}.nixops4-state-s3.outPath;
  object = { inherit (object) type requireState; outputNames = builtins.attrNames object.outputs.options; };
  inputs = evalInputs stateInputs;
  example = {
    providers = config.providers;
    stateType = config.members.state.type;
    stateInputs = evalInputs config.members.state.inputs;
    statesOfResources = map (name: config.members.${name}.state.memberName) [ "assets" "assetsVersioning" ];
  };
}
