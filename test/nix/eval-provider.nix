# A generated provider module called the way a NixOps4 user would, evaluated with the stand-in lib
# (provider-module.nix): its bridge command line and, for each resource type, the wire `type` and requireState
# its module declares.
{ providerDir, bridgeArgs ? { } }:
let
  provider = import ./provider-module.nix { modules = [ (import providerDir bridgeArgs) ]; };
in
{
  inherit (provider.config) executable args name sourceName;
  resourceTypes = builtins.mapAttrs
    (name: _: let t = provider.resourceType name; in { inherit (t) type requireState; })
    provider.config.resourceTypes;
}
