# The options walk NixOps4's provider docs do (nix/render-provider-docs/package.nix of nixops4/nixops4): the
# provider module evaluated with NixOps4's own provider.nix, then for every resource type its inputs module
# evaluated alone and turned into a doc list with lib.optionAttrSetToDocList, as nixosOptionsDoc does. The NixOps4
# and nixpkgs lib sources are given as paths (fetched outside this repository; nothing here fetches them).
{
  nixops4,
  nixpkgsLib,
  package,
  # "count": the walk itself (every option's doc entry, names and sub-options); "json": also every entry's fields
  # serialised, as nixosOptionsDoc writes them (descriptions, types, rendered defaults, declarations).
  mode ? "count",
}:
let
  lib = import (nixpkgsLib + "/lib");
  providerEval = lib.evalModules {
    modules = [
      (nixops4 + "/nix/provider/provider.nix")
      { options._module.args = lib.mkOption { internal = true; }; }
      (import package { })
    ];
    specialArgs.resourceProviderSystem = throw "the docs must not depend on resourceProviderSystem";
  };
  walk = _: resourceType: lib.optionAttrSetToDocList (lib.evalModules {
    prefix = [ "inputs" ];
    modules = [ resourceType.inputs ];
  }).options;
  all = lib.concatLists (lib.mapAttrsToList walk providerEval.config.resourceTypes);
  # What nixosOptionsDoc keeps and serialises.
  shown = builtins.filter (o: o.visible && !o.internal) all;
in
{
  types = builtins.length (builtins.attrNames providerEval.config.resourceTypes);
  options = builtins.length all;
  shownOptions = builtins.length shown;
}
// (if mode == "json" then { jsonChars = builtins.stringLength (builtins.toJSON shown); } else { })
