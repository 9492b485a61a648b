# A member of a NixOps4 component module (such as examples/aws/deployment.nix) evaluated against a generated
# provider package with the stand-in lib (mini-lib.nix and provider-module.nix; nixpkgs and NixOps4 cannot be
# installed here), giving what NixOps4 would send: the resource type and its inputs with every declared input
# present, unset ones null. The component's own `providers.aws` definitions (e.g. `configuration`) are merged
# into the generated provider module, whose imported stand-in module is empty. Outputs of members that exist
# already (a JSON file of { <member> = { type; outputProperties; }; }, as the bridge returned them) are read back
# through their declared output types, the way `members.<name>.outputs` reaches them; undeclared ones
# (`_opentofu`) are not visible, as in NixOps4.
{
  providerDir,
  componentFile,
  componentArgs,
  member,
  outputsFile ? null,
}:
let
  lib = import ./mini-lib.nix;
  component = import componentFile componentArgs { inherit lib providers members; };
  aws = import ./provider-module.nix {
    path = [ "providers" "aws" ];
    modules = [ (import providerDir { }) (component.providers.aws or { }) ];
  };
  # `providers.<p>.<type>` stands for the resource type by its attribute name.
  providers = {
    aws = builtins.mapAttrs (name: _: name) aws.config.resourceTypes;
    local.state_file = "state_file";
  };
  returned = if outputsFile == null then { } else builtins.fromJSON (builtins.readFile outputsFile);
  outputsOf =
    name:
    aws.memberOutputs { memberPath = [ name ]; typeName = returned.${name}.type; inherit (returned.${name}) outputProperties; };
  members = builtins.mapAttrs
    (name: _: {
      memberName = name;
      outputs = if returned ? ${name} then outputsOf name else throw "members.${name}.outputs: ${name} does not exist yet";
    })
    component.members;
  definition = component.members.${member};
  resourceType = aws.resourceType definition.type;
in
{
  inherit (resourceType) type requireState;
  state = if definition ? state then definition.state.memberName else null;
  inputs = aws.memberInputs { memberPath = [ member ]; typeName = definition.type; inputs = definition.inputs or { }; };
  # Every declared output of the existing members, read through its type (forced by --strict).
  existingOutputs = builtins.mapAttrs (name: _: outputsOf name) returned;
}
