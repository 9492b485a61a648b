# A generated provider module called the way a NixOps4 user would, with the stand-in lib: its bridge command
# line and, for each resource type, the wire `type` and requireState its module declares.
{ providerDir, bridgeArgs ? { } }:
let
  lib = import ./mini-lib.nix;
  provider = import providerDir bridgeArgs { inherit lib; };
in
{
  inherit (provider) executable args name sourceName;
  resourceTypes = builtins.mapAttrs
    (_: module: let t = import module { inherit lib; }; in { inherit (t) type requireState; })
    provider.resourceTypes;
}
