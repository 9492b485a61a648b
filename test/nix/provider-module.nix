# A NixOps4 provider module evaluated the way NixOps4 evaluates `providers.<name>` (nix/provider/provider.nix and
# nix/resourceType/resourceType.nix of nixops4/nixops4), with the stand-in lib: the options NixOps4 declares for
# every provider module, the provider module itself and any further definitions (e.g. `configuration`), and each
# resource type module evaluated with the provider's config as its `provider` argument and its attribute name
# as its `type`. `members` evaluates a member's inputs as NixOps4's resource.nix does, at the member's location.
{
  modules,
  path ? [ "providers" "provider" ],
  args ? { },
}:
let
  lib = import ./mini-lib.nix;
  inherit (lib) mkOption types;
  str = mkOption { type = types.str; };
  providerOptions.options = {
    executable = str;
    args = mkOption { type = types.listOf types.str; default = [ ]; };
    type = mkOption { type = types.str; default = "stdio"; };
    resourceTypes = mkOption { type = types.attrsOf types.raw; };
    name = str;
    description = str;
    sourceBaseUrl = str;
    sourceName = str;
  };
  resourceTypeOptions.options = {
    type = str;
    description = str;
    requireState = mkOption { type = types.bool; };
    inputs = mkOption { type = types.raw; };
    outputs = mkOption { type = types.raw; };
  };
  config = lib.evalModule { inherit path args; modules = [ providerOptions ] ++ modules; };
  resourceType =
    name:
    lib.evalModule {
      path = path ++ [ "resourceTypes" name ];
      args.provider = config;
      modules = [ resourceTypeOptions { config.type = name; } config.resourceTypes.${name} ];
    };
in
{
  inherit config lib resourceType;
  # A member's inputs, every declared option present (unset ones null), as NixOps4 sends them.
  memberInputs =
    { memberPath, typeName, inputs }:
    lib.evalModule {
      path = builtins.concatLists (map (n: [ "members" n ]) memberPath) ++ [ "inputs" ];
      modules = [ (resourceType typeName).inputs { config = inputs; } ];
    };
  # Outputs read back through the type's declared output options (undeclared ones are not visible).
  memberOutputs =
    { memberPath, typeName, outputProperties }:
    let outputs = (resourceType typeName).outputs; in
    lib.evalModule {
      path = builtins.concatLists (map (n: [ "members" n ]) memberPath) ++ [ "outputs" ];
      modules = [ outputs { config = builtins.intersectAttrs outputs.options outputProperties; } ];
    };
}
