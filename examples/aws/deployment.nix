# The root component: where state is kept, the providers, and three AWS resources. The IAM policy is built from
# the bucket's `arn` output, so NixOps4 creates the bucket first and then the policy with the real ARN.
{
  inputs,
  # The AWS provider block, set once for every AWS resource below (credentials come from the usual AWS
  # environment variables or ~/.aws, which the bridge inherits from nixops4; never write them here).
  awsProvider ? { region = "eu-central-1"; },
  # S3 bucket names are global: pick your own.
  bucketName ? "nixops4-example-change-me",
  userName ? "nixops4-example-deployer",
}:
{ providers, members, ... }:
{
  providers.local = inputs.nixops4.modules.nixops4Provider.local;
  providers.aws = {
    imports = [ inputs.nixops4-resources-opentofu.modules.nixops4Provider.aws ];
    # Terraform's `provider "aws" { … }`: every member's `inputs.provider` starts from it; a member's own
    # `inputs.provider.<setting>` wins for that member. Like any input, it may use other members' outputs.
    configuration = awsProvider;
  };

  # NixOps4 records every resource's inputs and outputs here (a local JSON file next to where you run nixops4).
  members.state = {
    type = providers.local.state_file;
    inputs.name = "nixops4-state.json";
  };

  members.bucket = {
    type = providers.aws.aws_s3_bucket;
    state = members.state;
    inputs = {
      bucket = bucketName;
      tags.managed-by = "nixops4";
    };
  };

  members.deployer = {
    type = providers.aws.aws_iam_user;
    state = members.state;
    inputs = {
      name = userName;
      path = "/nixops4/";
    };
  };

  members.deployerPolicy = {
    type = providers.aws.aws_iam_user_policy;
    state = members.state;
    inputs = {
      name = "write-${bucketName}";
      user = members.deployer.outputs.name;
      policy = builtins.toJSON {
        Version = "2012-10-17";
        Statement = [
          {
            Effect = "Allow";
            Action = [ "s3:ListBucket" ];
            Resource = members.bucket.outputs.arn;
          }
          {
            Effect = "Allow";
            Action = [ "s3:GetObject" "s3:PutObject" ];
            Resource = "${members.bucket.outputs.arn}/*";
          }
        ];
      };
    };
  };
}
