# A VPC and a security group as Terraform users write them: the ingress rule gives only from_port, to_port,
# protocol and cidr_blocks. The AWS provider block is set once (`providers.aws.configuration`) and tags every
# resource with the VPC's id through default_tags, an output of another member; the VPC itself, which cannot be
# tagged with its own id, overrides that setting for itself.
{ awsProvider, groupName }:
{ providers, members, ... }:
{
  providers.aws = {
    configuration = awsProvider // { default_tags = [ { tags.vpc = members.vpc.outputs.id; } ]; };
  };
  members.state = { type = providers.local.state_file; inputs.name = "nixops4-state.json"; };
  members.vpc = {
    type = providers.aws.aws_vpc;
    state = members.state;
    inputs = {
      cidr_block = "10.42.0.0/16";
      provider.default_tags = [ ];
    };
  };
  members.web = {
    type = providers.aws.aws_security_group;
    state = members.state;
    inputs = {
      name = groupName;
      vpc_id = members.vpc.outputs.id;
      ingress = [
        {
          from_port = 443;
          to_port = 443;
          protocol = "tcp";
          cidr_blocks = [ "0.0.0.0/0" ];
        }
      ];
    };
  };
}
