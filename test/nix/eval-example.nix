# A usage example from a generated page (a NixOps4 deployment module) evaluated against its generated provider
# package with the stand-in lib (mini-lib.nix): every member's inputs checked by its type's input options. The
# outputs of the example's members stand in as placeholders of their declared output types, so a reference to an
# output the type does not declare fails, as it would in NixOps4.
{ providerDir, providerName, exampleFile }:
let
  lib = import ./mini-lib.nix;
  inherit (builtins) mapAttrs substring stringLength;
  provider = import providerDir { } { inherit lib; };
  typeModule = name: import provider.resourceTypes.${name} { inherit lib; };
  providers.${providerName} = mapAttrs (name: _: name) provider.resourceTypes;

  startsWith = prefix: s: substring 0 (stringLength prefix) s == prefix;
  placeholder = path: typeName:
    if startsWith "null or " typeName then placeholder path (substring 8 (stringLength typeName) typeName)
    else if typeName == "string" then "<${path}>"
    else if typeName == "number" then 0
    else if typeName == "bool" then false
    else if startsWith "list of " typeName then [ ]
    else { };

  module = import exampleFile { inherit lib providers members; };
  members = mapAttrs
    (name: member: {
      outputs = mapAttrs (output: option: placeholder "members.${name}.outputs.${output}" option.type.name)
        (typeModule member.type).outputs.options;
    })
    module.members
  // { state = { outputs = { }; }; };
in
mapAttrs
  (name: member: {
    inherit (typeModule member.type) type requireState;
    state = member ? state;
    inputs = lib.evalOptions [ "members" name "inputs" ] (typeModule member.type).inputs.options member.inputs;
  })
  module.members
