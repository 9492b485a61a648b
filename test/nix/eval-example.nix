# A usage example from a generated page (a NixOps4 deployment module) evaluated against its generated provider
# package with the stand-in lib, the way NixOps4 evaluates providers and members (provider-module.nix): every
# member's inputs checked by its type's input options. The outputs of the example's members stand in as
# placeholders of their declared output types, so a reference to an output the type does not declare fails, as it
# would in NixOps4.
{ providerDir, providerName, exampleFile }:
let
  provider = import ./provider-module.nix { modules = [ (import providerDir { }) ]; };
  inherit (provider) lib;
  inherit (builtins) mapAttrs substring stringLength;
  providers.${providerName} = mapAttrs (name: _: name) provider.config.resourceTypes;

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
      outputs = mapAttrs (output: option: placeholder "members.${name}.outputs.${output}" option.type.description)
        (provider.resourceType member.type).outputs.options;
    })
    module.members
  // { state = { outputs = { }; }; };
in
mapAttrs
  (name: member: {
    inherit (provider.resourceType member.type) type requireState;
    state = member ? state;
    inputs = provider.memberInputs { memberPath = [ name ]; typeName = member.type; inherit (member) inputs; };
  })
  module.members
