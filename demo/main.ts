// `npm run demo`: the main job end to end on this machine. Starts a local AWS API (moto), then drives the bridge
// executable through the NixOps4 protocol exactly as NixOps4 would (a fresh process per operation, state carried
// only in inputs/outputs): creates a bucket, an IAM user and a policy that references the bucket's ARN, updates
// in place, replaces the bucket, destroys everything, and checks each step in moto with the AWS SDK.
import { GetUserPolicyCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetBucketTaggingCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { awsBridgeEnv } from "../testkit/aws-bridge.js";
import { runBridge } from "../testkit/bridge-process.js";
import { startMoto } from "../testkit/moto.js";
import { existsSync } from "node:fs";
import { protocolDir } from "../testkit/protocol.js";

type Outputs = Record<string, any>;

const moto = await startMoto();
const bridge = awsBridgeEnv(moto);
const client = {
  endpoint: moto.endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
};
const s3 = new S3Client({ ...client, forcePathStyle: true });
const iam = new IAMClient(client);
let failures = 0;

function say(line: string) {
  process.stdout.write(`${line}\n`);
}

function check(what: string, ok: boolean) {
  say(`   ${ok ? "✔" : "✘"} ${what}`);
  if (!ok) failures++;
}

async function call(title: string, request: object): Promise<Outputs> {
  const started = Date.now();
  // Responses are checked against the upstream protocol schemas when they are at hand (beside this checkout).
  const run = await runBridge([request], { env: bridge.env, validateProtocol: existsSync(protocolDir) });
  const response = run.responses[0]!;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`\n▶ ${title}  (${seconds} s, one bridge process)`);
  for (const line of run.stderr.split("\n").filter((l) => l.startsWith("[opentofu]"))) say(`   ${line}`);
  if (response.errorResponse) throw new Error(`${title} failed: ${response.errorResponse.message}`);
  return (Object.values(response)[0] as { outputProperties?: Outputs }).outputProperties ?? {};
}

const provider = bridge.provider;
const withProvider = (inputs: object) => ({ ...inputs, provider });
const exists = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

try {
  say(
    `moto (local AWS API) on ${moto.endpoint}; engine: ${bridge.env.NIXOPS4_OPENTOFU_ENGINE}; provider: ${bridge.env.NIXOPS4_OPENTOFU_PROVIDER}`,
  );

  const bucketIn = { bucket: "demo-nixops4-assets", tags: { owner: "demo" } };
  const bucket = await call("create aws_s3_bucket", {
    createResourceRequest: { type: "aws_s3_bucket", inputProperties: withProvider(bucketIn), isStateful: true },
  });
  check(
    `bucket ${bucket.id} exists in moto, arn = ${bucket.arn}`,
    await exists(s3.send(new HeadBucketCommand({ Bucket: bucket.id }))),
  );

  const userIn = { name: "demo-deployer" };
  const user = await call("create aws_iam_user", {
    createResourceRequest: { type: "aws_iam_user", inputProperties: withProvider(userIn), isStateful: true },
  });
  check(
    `user ${user.name} exists, unique_id = ${user.unique_id}`,
    await exists(iam.send(new GetUserCommand({ UserName: user.name }))),
  );

  const policyFor = (arn: string) => ({
    name: "read-assets",
    user: user.name,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${arn}/*`] }],
    }),
  });
  const policyIn = policyFor(bucket.arn);
  const policy = await call("create aws_iam_user_policy (references the bucket's ARN output)", {
    createResourceRequest: { type: "aws_iam_user_policy", inputProperties: withProvider(policyIn), isStateful: true },
  });
  const stored = await iam.send(new GetUserPolicyCommand({ UserName: user.name, PolicyName: "read-assets" }));
  check(
    `policy ${policy.id} grants ${bucket.arn}/*`,
    decodeURIComponent(stored.PolicyDocument ?? "").includes(`${bucket.arn}/*`),
  );

  const bucketIn2 = { ...bucketIn, tags: { owner: "demo", stage: "updated" } };
  const bucket2 = await call("update aws_s3_bucket tags (in place)", {
    updateResourceRequest: {
      resource: { type: "aws_s3_bucket", inputProperties: withProvider(bucketIn), outputProperties: bucket },
      inputProperties: withProvider(bucketIn2),
    },
  });
  const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket2.id }));
  check(
    `same bucket, tags now ${JSON.stringify(tagging.TagSet)}`,
    bucket2.id === bucket.id && (tagging.TagSet ?? []).length === 2,
  );

  const bucketIn3 = { ...bucketIn2, bucket: "demo-nixops4-assets-v2" };
  const bucket3 = await call("rename aws_s3_bucket (forces replacement)", {
    updateResourceRequest: {
      resource: { type: "aws_s3_bucket", inputProperties: withProvider(bucketIn2), outputProperties: bucket2 },
      inputProperties: withProvider(bucketIn3),
    },
  });
  check(`old bucket ${bucket.id} is gone`, !(await exists(s3.send(new HeadBucketCommand({ Bucket: bucket.id })))));
  check(`new bucket ${bucket3.id} exists`, await exists(s3.send(new HeadBucketCommand({ Bucket: bucket3.id }))));

  const policyIn2 = policyFor(bucket3.arn);
  await call("update aws_iam_user_policy to the new bucket's ARN", {
    updateResourceRequest: {
      resource: { type: "aws_iam_user_policy", inputProperties: withProvider(policyIn), outputProperties: policy },
      inputProperties: withProvider(policyIn2),
    },
  });
  const stored2 = await iam.send(new GetUserPolicyCommand({ UserName: user.name, PolicyName: "read-assets" }));
  check(
    `policy now grants ${bucket3.arn}/*`,
    decodeURIComponent(stored2.PolicyDocument ?? "").includes(`${bucket3.arn}/*`),
  );

  for (const [type, inputs, outputs] of [
    ["aws_iam_user_policy", policyIn2, policy],
    ["aws_iam_user", userIn, user],
    ["aws_s3_bucket", bucketIn3, bucket3],
  ] as const) {
    await call(`destroy ${type}`, {
      destroyResourceRequest: { resource: { type, inputProperties: withProvider(inputs), outputProperties: outputs } },
    });
  }
  check("user is gone", !(await exists(iam.send(new GetUserCommand({ UserName: user.name })))));
  check("bucket is gone", !(await exists(s3.send(new HeadBucketCommand({ Bucket: bucket3.id })))));
} catch (error) {
  failures++;
  say(`\n✘ ${(error as Error).message}`);
} finally {
  bridge.cleanup();
  await moto.stop();
}
say(
  failures === 0
    ? "\nDemo complete: every step verified in moto."
    : `\nDemo finished with ${failures} failed check(s).`,
);
process.exitCode = failures === 0 ? 0 : 1;
