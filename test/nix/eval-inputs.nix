# Checks `inputs` against a generated resource type's input options with the stand-in lib (provider-module.nix)
# and returns the inputs as NixOps4 would send them (every declared option, defaults filled in), for a member at
# `memberPath`; `configuration` is the provider module's `configuration` (the provider block for all resources).
{
  providerDir,
  typeName,
  inputs,
  configuration ? null,
  memberPath ? [ "thing" ],
}:
let
  provider = import ./provider-module.nix {
    modules = [ (import providerDir { }) { config = if configuration == null then { } else { inherit configuration; }; } ];
  };
  resourceType = provider.resourceType typeName;
in
{
  inherit (resourceType) type requireState;
  inputs = provider.memberInputs { inherit memberPath typeName inputs; };
  outputNames = builtins.attrNames resourceType.outputs.options;
}
