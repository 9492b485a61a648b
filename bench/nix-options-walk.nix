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
  # Walk only the first `limit` types (by name), for a quick sample; null: all.
  limit ? null,
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
  typeNames = builtins.attrNames providerEval.config.resourceTypes;
  walked = if limit == null then typeNames else lib.take limit typeNames;
  all = lib.concatMap (name: walk name providerEval.config.resourceTypes.${name}) walked;
  # What nixosOptionsDoc keeps and serialises.
  shown = builtins.filter (o: o.visible && !o.internal) all;
in
{
  types = builtins.length walked;
  options = builtins.length all;
  shownOptions = builtins.length shown;
}
// (if mode == "json" then { jsonChars = builtins.stringLength (builtins.toJSON shown); } else { })
