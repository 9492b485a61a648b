# The `s3.object` state resource type: where the state lives. No credentials here: NixOps4 stores and prints
# inputs, so nixops4-state-s3 takes them from the AWS environment or profile of the nixops4 process.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  optional = type: description: mkOption { type = types.nullOr type; default = null; inherit description; };
in
{
  type = "s3.object";
  description = "NixOps4 state kept in one S3 object, locked while an apply runs, with its history beside it.";
  # Created statelessly on every apply (it only checks that the bucket can be written); it is a state provider.
  requireState = false;
  inputs.options = {
    bucket = mkOption { type = types.str; description = "The bucket that holds the state (it must exist)."; };
    key = mkOption {
      type = types.str;
      default = "nixops4/state.json";
      description = "The object key of the current state; the lock is `<key>.lock`, the history `<key>.history/`.";
    };
    endpoint = optional types.str "An S3-compatible API (Garage, MinIO, Ceph, …), e.g. `https://garage.example.com`; null: AWS.";
    region = optional types.str "The region (null: AWS_REGION or the profile's; us-east-1 with an endpoint).";
    force_path_style = optional types.bool "Path-style addressing (`https://host/bucket/key`), which most S3-compatible stores need.";
  };
  outputs.options = {
    bucket = mkOption { type = types.str; description = "The bucket."; };
    key = mkOption { type = types.str; description = "The object key of the current state."; };
    endpoint = optional types.str "The endpoint, as given.";
    region = optional types.str "The region, as given.";
    force_path_style = mkOption { type = types.bool; description = "Whether path-style addressing is used."; };
    url = mkOption { type = types.str; description = "`s3://<bucket>/<key>`."; };
    lock_key = mkOption { type = types.str; description = "The key of the lock object."; };
    history_prefix = mkOption { type = types.str; description = "The prefix under which every event is kept."; };
  };
}
