// The Nix side and the bridge together, as NixOps4 joins them: examples/aws/deployment.nix's members evaluated
// through the generated resource types (stand-in lib, test/nix/eval-component.nix) → `nix-instantiate --eval
// --strict --json` → a createResourceRequest (isStateful, every declared input present, unset ones null) to the
// bridge started with the executable and args of the provider module lib.mkProviderModule produced (bridge,
// engine and provider binary from the Nix store) → the object checked in moto with the AWS SDK → its outputs
// fed back into Nix and read through the declared output types, for the next member to use.
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetUserCommand, GetUserPolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetBucketTaggingCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv } from "../testkit/aws-bridge.js";
import { awsProviderConfig, motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { assertValidResponse } from "../testkit/protocol.js";
import { repoRoot } from "../testkit/repo-root.js";
import { nixEvalBuilding, nixString, standInArgs, TEST_NIX_DIR } from "./nix/flake-eval.js";

const EXAMPLE = join(repoRoot, "examples", "aws", "deployment.nix");

interface Provider {
  executable: string;
  args: string[];
}
interface MemberEval {
  type: string;
  requireState: boolean;
  state: string | null;
  inputs: Record<string, unknown>;
  existingOutputs: Record<string, Record<string, unknown>>;
}

let moto: MotoServer;
let work: DirectoryResult;
let generated: string;
let provider: Provider;
let env: Record<string, string | undefined>;
let s3: S3Client;
let iam: IAMClient;
let ec2: EC2Client;

beforeAll(async () => {
  moto = await startMoto();
  work = await tmpDir({ unsafeCleanup: true, prefix: "nix-roundtrip-" });
  const flake = await nixEvalBuilding(join(TEST_NIX_DIR, "eval-flake.nix"), { standIn: await standInArgs() });
  expect(flake.error).toBe("");
  ({ generated, mkProviderModule: provider } = flake.value as { generated: string; mkProviderModule: Provider });
  // The engine, provider and plugin dir come only from the command line the Nix module built.
  env = { ...awsBridgeEnv(moto).env };
  for (const name of ["NIXOPS4_OPENTOFU_PROVIDER", "NIXOPS4_OPENTOFU_ENGINE", "NIXOPS4_OPENTOFU_PLUGIN_DIR"])
    delete env[name];
  const client = motoSdkConfig(moto);
  s3 = new S3Client({ ...client, forcePathStyle: true });
  iam = new IAMClient(client);
  ec2 = new EC2Client(client);
}, 300_000);

afterAll(async () => {
  await moto?.stop();
  await work?.cleanup();
});

/** A Nix attribute set literal of a JSON value (strings escaped for Nix). */
function nixValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return nixString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[ ${value.map(nixValue).join(" ")} ]`;
  return `{ ${Object.entries(value as object)
    .map(([k, v]) => `${nixString(k)} = ${nixValue(v)};`)
    .join(" ")} }`;
}

async function evalMember(componentFile: string, componentArgs: string, member: string, returned?: object) {
  const args: Record<string, string> = {
    providerDir: nixString(generated),
    componentFile: nixString(componentFile),
    componentArgs,
    member: nixString(member),
  };
  if (returned) {
    const file = join(work.path, `outputs-${randomBytes(4).toString("hex")}.json`);
    writeFileSync(file, JSON.stringify(returned));
    args.outputsFile = nixString(file);
  }
  return nixEvalBuilding(join(TEST_NIX_DIR, "eval-component.nix"), args);
}

/**
 * One bridge process per request, started from the provider module's executable and args, as NixOps4 does.
 * `_member` (set by the generated Nix) is taken off here until the bridge takes it off itself (helper
 * "safety-records"); everything else goes as Nix evaluated it.
 */
async function create(member: MemberEval): Promise<Record<string, unknown>> {
  const { _member, ...inputs } = member.inputs;
  expect(_member).toEqual(expect.arrayContaining([expect.any(String)]));
  const request = {
    createResourceRequest: { type: member.type, inputProperties: inputs, isStateful: member.state !== null },
  };
  const run = await execa(provider.executable, provider.args, {
    input: JSON.stringify(request) + "\n",
    env,
    extendEnv: false,
    reject: false,
  });
  const lines = run.stdout.split("\n").filter((l) => l.length > 0);
  expect(lines, run.stderr).toHaveLength(1);
  const response = JSON.parse(lines[0]!) as Record<string, any>;
  assertValidResponse(response);
  expect(response.errorResponse, run.stderr).toBeUndefined();
  expect(run.exitCode).toBe(0);
  return response.createResourceResponse.outputProperties as Record<string, unknown>;
}

describe("examples/aws through Nix, the bridge from the store and moto", () => {
  const suffix = randomBytes(4).toString("hex");
  const bucketName = `nixops4-nix-${suffix}`;
  const userName = `nixops4-nix-${suffix}`;
  let created: Record<string, { type: string; outputProperties: Record<string, unknown> }> = {};
  const componentArgs = () =>
    `{ inputs = { nixops4.modules.nixops4Provider.local = { }; nixops4-resources-opentofu.modules.nixops4Provider.aws = { }; }; ` +
    `awsProvider = ${nixValue(awsProviderConfig())}; bucketName = ${nixString(bucketName)}; userName = ${nixString(userName)}; }`;

  it("creates the bucket, the user and the policy built from the bucket's arn output", async () => {
    const bucketEval = await evalMember(EXAMPLE, componentArgs(), "bucket");
    expect(bucketEval.error).toBe("");
    const bucket = bucketEval.value as MemberEval;
    expect(bucket).toMatchObject({ type: "aws_s3_bucket", requireState: true, state: "state" });
    // Every declared input is sent; those the member leaves unset are null (blocks: empty lists). The provider
    // block comes from the provider module's `configuration`.
    const set = Object.entries(bucket.inputs)
      .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
      .map(([k]) => k);
    expect(set.sort()).toEqual(["_member", "bucket", "provider", "tags"]);
    expect(bucket.inputs._member).toEqual(["bucket"]);
    expect(bucket.inputs).toMatchObject({
      acl: null,
      policy: null,
      force_destroy: null,
      lifecycle: null,
      import: null,
      versioning: [],
    });
    expect(bucket.inputs.provider).toMatchObject({ ...awsProviderConfig(), profile: null, assume_role: [] });
    const bucketOutputs = await create(bucket);
    await s3.send(new HeadBucketCommand({ Bucket: bucketName }));
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: bucketName }));
    expect(tagging.TagSet).toEqual([{ Key: "managed-by", Value: "nixops4" }]);

    const userEval = await evalMember(EXAMPLE, componentArgs(), "deployer");
    expect(userEval.error).toBe("");
    const user = userEval.value as MemberEval;
    expect(user).toMatchObject({
      type: "aws_iam_user",
      state: "state",
      inputs: { name: userName, path: "/nixops4/", tags: null },
    });
    const userOutputs = await create(user);
    expect((await iam.send(new GetUserCommand({ UserName: userName }))).User?.Path).toBe("/nixops4/");

    // The policy member can only be evaluated once the bucket's and the user's outputs exist.
    expect((await evalMember(EXAMPLE, componentArgs(), "deployerPolicy")).error).toContain(
      "members.bucket.outputs: bucket does not exist yet",
    );
    const returned = {
      bucket: { type: "aws_s3_bucket", outputProperties: bucketOutputs },
      deployer: { type: "aws_iam_user", outputProperties: userOutputs },
    };
    created = returned;
    const policyEval = await evalMember(EXAMPLE, componentArgs(), "deployerPolicy", returned);
    expect(policyEval.error).toBe("");
    const policy = policyEval.value as MemberEval;
    const arn = `arn:aws:s3:::${bucketName}`;
    // The outputs as Nix read them: every declared output typed; `_opentofu` is not declared, so not visible.
    expect(policy.existingOutputs.bucket).toMatchObject({
      arn,
      bucket: bucketName,
      id: bucketName,
      tags: { "managed-by": "nixops4" },
    });
    expect(policy.existingOutputs.bucket).not.toHaveProperty("_opentofu");
    expect(Object.keys(policy.existingOutputs.deployer!).sort()).toEqual([
      "arn",
      "force_destroy",
      "id",
      "name",
      "path",
      "permissions_boundary",
      "tags",
      "tags_all",
      "unique_id",
    ]);
    expect(policy.inputs.user).toBe(userName);
    const document = JSON.parse(policy.inputs.policy as string) as { Statement: { Resource: string }[] };
    expect(document.Statement.map((s) => s.Resource)).toEqual([arn, `${arn}/*`]);
    const policyOutputs = await create(policy);
    const stored = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: `write-${bucketName}` }));
    expect(JSON.parse(decodeURIComponent(stored.PolicyDocument!))).toEqual(document);

    // And the policy's own outputs read back through its declared types.
    const readBack = await evalMember(EXAMPLE, componentArgs(), "deployerPolicy", {
      ...returned,
      deployerPolicy: { type: "aws_iam_user_policy", outputProperties: policyOutputs },
    });
    expect(readBack.error).toBe("");
    expect((readBack.value as MemberEval).existingOutputs.deployerPolicy).toMatchObject({
      user: userName,
      name: `write-${bucketName}`,
    });
  }, 300_000);

  it("an output of the wrong type fails when Nix reads it, naming the output", async () => {
    expect(Object.keys(created)).toEqual(["bucket", "deployer"]); // from the test above
    const bucket = created.bucket!;
    const returned = { ...created, bucket: { ...bucket, outputProperties: { ...bucket.outputProperties, arn: 5 } } };
    const result = await evalMember(EXAMPLE, componentArgs(), "deployerPolicy", returned);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("members.bucket.outputs.arn: expected string, got int 5");
  }, 60_000);
});

describe("a security group written as Terraform users write it, the provider block set once", () => {
  const groupName = `nixops4-web-${randomBytes(4).toString("hex")}`;
  const componentFile = join(TEST_NIX_DIR, "security-group.nix");
  const componentArgs = () =>
    `{ awsProvider = ${nixValue(awsProviderConfig())}; groupName = ${nixString(groupName)}; }`;

  it("evaluates, is accepted by the bridge and created in moto with the rule and the provider-wide tags", async () => {
    const vpcEval = await evalMember(componentFile, componentArgs(), "vpc");
    expect(vpcEval.error).toBe("");
    const vpc = vpcEval.value as MemberEval;
    // The VPC's own setting wins over the provider-wide default_tags, which refer to the VPC's output.
    expect(vpc.inputs.provider).toMatchObject({ ...awsProviderConfig(), default_tags: [] });
    const vpcOutputs = await create(vpc);
    const returned = { vpc: { type: "aws_vpc", outputProperties: vpcOutputs } };

    const webEval = await evalMember(componentFile, componentArgs(), "web", returned);
    expect(webEval.error).toBe("");
    const web = webEval.value as MemberEval;
    const vpcId = vpcOutputs.id as string;
    expect(web.inputs.provider).toMatchObject({ ...awsProviderConfig(), default_tags: [{ tags: { vpc: vpcId } }] });
    // The fields the rule leaves out are null, as Terraform takes them.
    expect(web.inputs.ingress).toEqual([
      {
        from_port: 443,
        to_port: 443,
        protocol: "tcp",
        cidr_blocks: ["0.0.0.0/0"],
        description: null,
        ipv6_cidr_blocks: null,
        prefix_list_ids: null,
        security_groups: null,
        self: null,
      },
    ]);
    await create(web);

    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [groupName] }] }),
    );
    expect(groups.SecurityGroups).toHaveLength(1);
    const group = groups.SecurityGroups![0]!;
    expect(group.VpcId).toBe(vpcId);
    expect(group.IpPermissions).toEqual([
      expect.objectContaining({
        FromPort: 443,
        ToPort: 443,
        IpProtocol: "tcp",
        IpRanges: [expect.objectContaining({ CidrIp: "0.0.0.0/0" })],
      }),
    ]);
    expect(group.Tags).toEqual(expect.arrayContaining([{ Key: "vpc", Value: vpcId }]));
  }, 300_000);

  it("two items in a max_items = 1 block and none in a required block fail at evaluation", async () => {
    const twoVersionings = await evalMember(
      join(TEST_NIX_DIR, "bad-members.nix"),
      `{ mistake = "twoVersionings"; }`,
      "bucket",
    );
    expect(twoVersionings.ok).toBe(false);
    expect(twoVersionings.error).toContain(
      "members.bucket.inputs.versioning: expected list of submodule, at most 1 item, got a list",
    );
    const empty = await evalMember(
      join(TEST_NIX_DIR, "bad-members.nix"),
      `{ mistake = "emptyRequiredBlock"; }`,
      "bucket",
    );
    expect(empty.ok).toBe(false);
    expect(empty.error).toContain(
      "members.bucket.inputs.versioning_configuration: expected list of submodule, exactly 1 item, got a list",
    );
  }, 60_000);
});

describe("mistakes in a member fail at evaluation with the option path", () => {
  const cases: [string, string][] = [
    ["misspelled", "members.bucket.inputs: unknown option(s): buckt"],
    ["wrongType", 'members.bucket.inputs.force_destroy: expected bool, got string "yes"'],
    ["wrongNested", 'members.bucket.inputs.versioning.0.enabled: expected bool, got string "true"'],
    ["wrongProvider", "members.bucket.inputs.provider.region: expected string, got int 1"],
    ["computedOnly", "members.bucket.inputs: unknown option(s): arn"],
  ];
  it.each(cases)(
    "%s",
    async (mistake, message) => {
      const result = await evalMember(
        join(TEST_NIX_DIR, "bad-members.nix"),
        `{ mistake = ${nixString(mistake)}; }`,
        "bucket",
      );
      expect(result.ok).toBe(false);
      expect(result.error).toContain(message);
    },
    60_000,
  );
});
