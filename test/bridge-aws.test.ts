// End to end through the built executable, the real engine, the real AWS provider and moto. Every operation runs
// in a fresh bridge process with only what NixOps4 would persist (inputs and outputs), and every result is
// checked in moto with the AWS SDK, independently of the bridge.
import { GetUserCommand, IAMClient, CreateUserCommand, ListUserTagsCommand } from "@aws-sdk/client-iam";
import {
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  S3Client,
  CreateBucketCommand,
} from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { outputsOf, runBridge } from "../testkit/bridge-process.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";

let moto: MotoServer;
let bridge: AwsBridgeEnv;
let s3: S3Client;
let iam: IAMClient;
let ssm: SSMClient;

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto);
  const client = motoSdkConfig(moto);
  s3 = new S3Client({ ...client, forcePathStyle: true });
  iam = new IAMClient(client);
  ssm = new SSMClient(client);
});

afterAll(async () => {
  bridge?.cleanup();
  await moto?.stop();
});

async function op(request: object) {
  const run = await runBridge([request], { env: bridge.env });
  expect(run.exitCode).toBe(0);
  expect(run.responses).toHaveLength(1);
  return { response: run.responses[0]!, stderr: run.stderr };
}

const create = (type: string, inputs: object) =>
  op({ createResourceRequest: { type, inputProperties: { ...inputs, provider: bridge.provider }, isStateful: true } });
const update = (type: string, oldInputs: object, oldOutputs: object, inputs: object) =>
  op({
    updateResourceRequest: {
      resource: { type, inputProperties: { ...oldInputs, provider: bridge.provider }, outputProperties: oldOutputs },
      inputProperties: { ...inputs, provider: bridge.provider },
    },
  });
const destroy = (type: string, inputs: object, outputs: object) =>
  op({
    destroyResourceRequest: {
      resource: { type, inputProperties: { ...inputs, provider: bridge.provider }, outputProperties: outputs },
    },
  });

async function bucketExists(name: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
    return true;
  } catch {
    return false;
  }
}

describe("aws_s3_bucket", () => {
  it("creates, updates in place, replaces on a force-new change and destroys", async () => {
    const first = { bucket: "nixops4-e2e-one", tags: { stage: "one" }, force_destroy: null };
    const created = await create("aws_s3_bucket", first);
    const outputs1 = outputsOf(created.response);
    expect(outputs1.arn).toBe("arn:aws:s3:::nixops4-e2e-one");
    expect(outputs1.tags_all).toEqual({ stage: "one" });
    expect(await bucketExists("nixops4-e2e-one")).toBe(true);
    expect(created.stderr).toMatch(/Creating\.\.\./);

    const second = { ...first, tags: { stage: "two" } };
    const updated = await update("aws_s3_bucket", first, outputs1, second);
    const outputs2 = outputsOf(updated.response);
    expect(outputs2.tags).toEqual({ stage: "two" });
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: "nixops4-e2e-one" }));
    expect(tagging.TagSet).toEqual([{ Key: "stage", Value: "two" }]);

    // The bucket name forces replacement: the old bucket must be gone and the new one exist.
    const third = { ...second, bucket: "nixops4-e2e-two" };
    const replaced = await update("aws_s3_bucket", second, outputs2, third);
    const outputs3 = outputsOf(replaced.response);
    expect(replaced.stderr).toMatch(/replace/i);
    expect(outputs3.id).toBe("nixops4-e2e-two");
    expect(await bucketExists("nixops4-e2e-one")).toBe(false);
    expect(await bucketExists("nixops4-e2e-two")).toBe(true);

    const destroyed = await destroy("aws_s3_bucket", third, outputs3);
    expect(destroyed.response).toEqual({ destroyResourceResponse: {} });
    expect(await bucketExists("nixops4-e2e-two")).toBe(false);

    // Destroying what is already gone is not an error.
    const again = await destroy("aws_s3_bucket", third, outputs3);
    expect(again.response).toEqual({ destroyResourceResponse: {} });
  });

  it("refuses a replacement when lifecycle.prevent_destroy is set, and changes nothing", async () => {
    const inputs = { bucket: "nixops4-e2e-kept", lifecycle: { prevent_destroy: true } };
    const outputs = outputsOf((await create("aws_s3_bucket", inputs)).response);
    const refused = await update("aws_s3_bucket", inputs, outputs, { ...inputs, bucket: "nixops4-e2e-other" });
    expect(refused.response.errorResponse.message).toMatch(/prevent_destroy/);
    expect(await bucketExists("nixops4-e2e-kept")).toBe(true);
    expect(await bucketExists("nixops4-e2e-other")).toBe(false);
    const refusedDestroy = await destroy("aws_s3_bucket", inputs, outputs);
    expect(refusedDestroy.response.errorResponse.message).toMatch(/prevent_destroy/);
    expect(await bucketExists("nixops4-e2e-kept")).toBe(true);
  });

  it("adopts an existing bucket with import.id instead of creating one", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "nixops4-e2e-imported" }));
    const inputs = { bucket: "nixops4-e2e-imported", tags: { adopted: "yes" }, import: { id: "nixops4-e2e-imported" } };
    const outputs = outputsOf((await create("aws_s3_bucket", inputs)).response);
    expect(outputs.id).toBe("nixops4-e2e-imported");
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: "nixops4-e2e-imported" }));
    expect(tagging.TagSet).toEqual([{ Key: "adopted", Value: "yes" }]);
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.filter((b) => b.Name === "nixops4-e2e-imported")).toHaveLength(1);
  });
});

describe("aws_iam_user", () => {
  it("creates, renames in place, and destroys", async () => {
    const first = { name: "nixops4-e2e-user", tags: { team: "a" }, path: null };
    const outputs1 = outputsOf((await create("aws_iam_user", first)).response);
    expect(outputs1.arn).toMatch(/:user\/nixops4-e2e-user$/);
    expect(outputs1.unique_id).toEqual(expect.any(String));
    const got = await iam.send(new GetUserCommand({ UserName: "nixops4-e2e-user" }));
    expect(got.User?.Arn).toBe(outputs1.arn);

    const second = { ...first, tags: { team: "b" } };
    const outputs2 = outputsOf((await update("aws_iam_user", first, outputs1, second)).response);
    expect(outputs2.unique_id).toBe(outputs1.unique_id);
    const tags = await iam.send(new ListUserTagsCommand({ UserName: "nixops4-e2e-user" }));
    expect(tags.Tags).toEqual([{ Key: "team", Value: "b" }]);

    await destroy("aws_iam_user", second, outputs2);
    await expect(iam.send(new GetUserCommand({ UserName: "nixops4-e2e-user" }))).rejects.toThrow();
  });

  it("imports an existing user through importResourceRequest", async () => {
    await iam.send(new CreateUserCommand({ UserName: "nixops4-e2e-preexisting" }));
    const run = await runBridge(
      [
        {
          importResourceRequest: {
            resource: {
              type: "aws_iam_user",
              inputProperties: {
                name: "nixops4-e2e-preexisting",
                provider: bridge.provider,
                import: { id: "nixops4-e2e-preexisting" },
              },
            },
          },
        },
      ],
      { env: bridge.env },
    );
    expect(outputsOf(run.responses[0]).arn).toMatch(/:user\/nixops4-e2e-preexisting$/);
  });
});

describe("aws_ssm_parameter", () => {
  it("keeps sensitive values off stderr, updates the value in place and destroys", async () => {
    const secret = "s3cr3t-parameter-value-1";
    const first = { name: "/nixops4/e2e", type: "SecureString", value: secret };
    const created = await create("aws_ssm_parameter", first);
    const outputs1 = outputsOf(created.response);
    expect(created.stderr).not.toContain(secret);
    expect(outputs1.version).toBe(1);
    const got = await ssm.send(new GetParameterCommand({ Name: "/nixops4/e2e", WithDecryption: true }));
    expect(got.Parameter?.Value).toBe(secret);

    const second = { ...first, value: "s3cr3t-parameter-value-2" };
    const updated = await update("aws_ssm_parameter", first, outputs1, second);
    expect(updated.stderr).not.toContain("s3cr3t-parameter-value");
    const outputs2 = outputsOf(updated.response);
    expect(outputs2.version).toBe(2);
    const got2 = await ssm.send(new GetParameterCommand({ Name: "/nixops4/e2e", WithDecryption: true }));
    expect(got2.Parameter?.Value).toBe("s3cr3t-parameter-value-2");

    await destroy("aws_ssm_parameter", second, outputs2);
    await expect(ssm.send(new GetParameterCommand({ Name: "/nixops4/e2e" }))).rejects.toThrow();
  });
});

describe("sensitive outputs", () => {
  it("with --sensitive-outputs omit, returns them as null and the next update still works", async () => {
    const env = { ...bridge.env, NIXOPS4_OPENTOFU_SENSITIVE_OUTPUTS: "omit" };
    const secret = "omitted-secret-value-31337";
    const first = {
      name: "/nixops4/omit",
      type: "SecureString",
      value: secret,
      description: "one",
      provider: bridge.provider,
    };
    const created = await runBridge(
      [{ createResourceRequest: { type: "aws_ssm_parameter", inputProperties: first, isStateful: true } }],
      { env },
    );
    expect(created.stdout).not.toContain(secret);
    const outputs = outputsOf(created.responses[0]);
    expect(outputs.value).toBeNull();
    // The state record still knows `value` is sensitive, so the next refresh keeps it out of the outputs.
    expect(outputs._opentofu.instance.sensitive_attributes).toContainEqual([{ type: "get_attr", value: "value" }]);

    const second = { ...first, description: "two" };
    const updated = await runBridge(
      [
        {
          updateResourceRequest: {
            resource: { type: "aws_ssm_parameter", inputProperties: first, outputProperties: outputs },
            inputProperties: second,
          },
        },
      ],
      { env },
    );
    expect(updated.stdout).not.toContain(secret);
    expect(outputsOf(updated.responses[0]).description).toBe("two");
    const got = await ssm.send(new GetParameterCommand({ Name: "/nixops4/omit", WithDecryption: true }));
    expect(got.Parameter?.Value).toBe(secret);
  });
});

describe("data sources", () => {
  it("reads data.aws_iam_user on create, with isStateful false", async () => {
    await iam.send(new CreateUserCommand({ UserName: "nixops4-e2e-lookup" }));
    const run = await runBridge(
      [
        {
          createResourceRequest: {
            type: "data.aws_iam_user",
            inputProperties: { user_name: "nixops4-e2e-lookup", provider: bridge.provider },
            isStateful: false,
          },
        },
      ],
      { env: bridge.env },
    );
    const outputs = outputsOf(run.responses[0]);
    expect(outputs.arn).toMatch(/:user\/nixops4-e2e-lookup$/);
    expect(outputs.user_id).toEqual(expect.any(String));
  });
});

describe("without the shared provider host", () => {
  it("falls back to the engine's own init and provider start, with the same results", async () => {
    const env = { ...bridge.env, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" };
    const inputs = { name: "nixops4-e2e-fallback", provider: bridge.provider };
    const created = await runBridge(
      [{ createResourceRequest: { type: "aws_iam_user", inputProperties: inputs, isStateful: true } }],
      { env },
    );
    const outputs = outputsOf(created.responses[0]);
    expect(created.stderr).not.toMatch(/provider host pid/);
    expect((await iam.send(new GetUserCommand({ UserName: "nixops4-e2e-fallback" }))).User?.Arn).toBe(outputs.arn);
    const destroyed = await runBridge(
      [
        {
          destroyResourceRequest: {
            resource: { type: "aws_iam_user", inputProperties: inputs, outputProperties: outputs },
          },
        },
      ],
      { env },
    );
    expect(destroyed.responses[0]).toEqual({ destroyResourceResponse: {} });
    await expect(iam.send(new GetUserCommand({ UserName: "nixops4-e2e-fallback" }))).rejects.toThrow();
  });
});
