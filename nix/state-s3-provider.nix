# `modules.nixops4Provider.s3State`: the state provider nixops4-state-s3, from this flake's package for the system
# NixOps4 runs on. Its one resource type, `object` (wire type `s3.object`), is a state resource: give it to other
# resources as their `state`, and NixOps4 keeps their inputs and outputs in that S3 object (docs/state-s3.md).
{
  bridgeFor,
  pkgsFor,
}:
{ resourceProviderSystem, ... }:
{
  name = "S3 state";
  description = "NixOps4 deployment state in an S3 bucket (AWS or any S3-compatible store), with a lock per apply and the history of every change";
  sourceBaseUrl = "https://github.com/nixops4/nixops4-resources-opentofu/blob/main";
  sourceName = "nixops4-resources-opentofu";
  executable = "${bridgeFor (pkgsFor resourceProviderSystem)}/bin/nixops4-state-s3";
  args = [ ];
  resourceTypes.object = ./state-s3/object.nix;
}
