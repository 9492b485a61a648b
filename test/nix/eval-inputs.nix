# Checks `inputs` against a generated resource type module's input options with the stand-in lib and returns
# the inputs as NixOps4 would send them (every declared option, defaults filled in).
{ typeModule, inputs }:
let
  lib = import ./mini-lib.nix;
  resourceType = import typeModule { inherit lib; };
in
{
  inherit (resourceType) type requireState;
  inputs = lib.evalOptions [ "inputs" ] resourceType.inputs.options inputs;
  outputNames = builtins.attrNames resourceType.outputs.options;
}
