# Members with one mistake each, as a user might write them, for the evaluation-error tests.
{ mistake }:
{ providers, members, ... }:
{
  members.state = { type = providers.local.state_file; inputs.name = "nixops4-state.json"; };
  members.bucket = {
    type = if mistake == "emptyRequiredBlock" then providers.aws.aws_s3_bucket_versioning else providers.aws.aws_s3_bucket;
    state = members.state;
    inputs =
      {
        misspelled = { buckt = "b"; };
        wrongType = { bucket = "b"; force_destroy = "yes"; };
        wrongNested = { bucket = "b"; versioning = [ { enabled = "true"; } ]; };
        wrongProvider = { bucket = "b"; provider.region = 1; };
        computedOnly = { bucket = "b"; arn = "arn:aws:s3:::b"; };
        twoVersionings = { bucket = "b"; versioning = [ { enabled = true; } { enabled = false; } ]; };
        emptyRequiredBlock = { bucket = "b"; versioning_configuration = [ ]; };
      }.${mistake};
  };
}
