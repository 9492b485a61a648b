# The root component of a team's deployment: its state in an S3 bucket (which must exist: create it once, by
# hand or in another deployment, with versioning if you like), and AWS resources that keep their record there.
# Whoever runs `nixops4 apply` needs AWS credentials that can read and write that bucket; a second apply while
# one runs is refused with the name of the person running it.
{
  inputs,
  awsProvider ? { region = "eu-central-1"; },
  stateBucket ? "nixops4-state-change-me",
  bucketName ? "nixops4-team-example-change-me",
}:
{ providers, members, ... }:
{
  providers.s3 = inputs.nixops4-resources-opentofu.modules.nixops4Provider.s3State;
  providers.aws = inputs.nixops4-resources-opentofu.modules.nixops4Provider.aws;

  members.state = {
    type = providers.s3.object;
    inputs = {
      bucket = stateBucket;
      key = "team-example/state.json";
      region = awsProvider.region;
      # For Garage, MinIO or Ceph instead of AWS:
      # endpoint = "https://garage.example.com";
      # force_path_style = true;
    };
  };

  members.assets = {
    type = providers.aws.aws_s3_bucket;
    state = members.state;
    inputs = {
      bucket = bucketName;
      tags.managed-by = "nixops4";
      provider = awsProvider;
    };
  };

  members.assetsVersioning = {
    type = providers.aws.aws_s3_bucket_versioning;
    state = members.state;
    inputs = {
      bucket = members.assets.outputs.id;
      versioning_configuration = [ { status = "Enabled"; } ];
      provider = awsProvider;
    };
  };
}
