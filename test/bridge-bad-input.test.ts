// A corpus of malformed requests, all sent to ONE bridge process: each gets a clear errorResponse, the process
// keeps serving, stdout carries nothing but protocol lines, and nothing reaches the cloud (checked in moto).
import { IAMClient, ListUsersCommand } from "@aws-sdk/client-iam";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { runBridge } from "../testkit/bridge-process.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";

let moto: MotoServer;
let bridge: AwsBridgeEnv;

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto);
});
afterAll(async () => {
  bridge?.cleanup();
  await moto?.stop();
});

const P = () => bridge.provider;
const create = (type: unknown, inputProperties: unknown, isStateful: unknown = true) =>
  JSON.stringify({ createResourceRequest: { type, inputProperties, isStateful } });
const bucket = (inputs: object) => create("aws_s3_bucket", { ...inputs, provider: P() });

// [line sent, pattern the error message must match]
const corpus = (): [string, RegExp][] => [
  ["{not json", /not valid JSON/],
  ["[1,2,3]", /must be an object, got an array/],
  ['"createResourceRequest"', /must be an object, got a string/],
  ["{}", /exactly one key.*got no keys/],
  [JSON.stringify({ createResourceRequest: {}, updateResourceRequest: {} }), /exactly one key/],
  [JSON.stringify({ deleteResourceRequest: {} }), /unknown request kind "deleteResourceRequest"/],
  [JSON.stringify({ stateResourceReadRequest: { resource: {} } }), /only for state providers/],
  [JSON.stringify({ createResourceRequest: 5 }), /createResourceRequest must be an object, got a number/],
  [
    JSON.stringify({ createResourceRequest: { inputProperties: {}, isStateful: true } }),
    /missing the required field "type"/,
  ],
  [create(42, {}), /type must be a non-empty string.*got a number/],
  [create("", {}), /type must be a non-empty string/],
  [
    JSON.stringify({ createResourceRequest: { type: "aws_s3_bucket", isStateful: true } }),
    /missing the required field "inputProperties"/,
  ],
  [create("aws_s3_bucket", [1]), /inputProperties must be an object, got an array/],
  [
    JSON.stringify({ createResourceRequest: { type: "aws_s3_bucket", inputProperties: {} } }),
    /missing the required field "isStateful"/,
  ],
  [create("aws_s3_bucket", {}, "yes"), /isStateful must be a boolean, got a string/],
  [
    create("aws_s3_bucket", { bucket: "nope" }, false),
    /aws_s3_bucket resources require state \(isStateful must be true\)/,
  ],
  [create("aws_s3_buckt", {}), /unknown resource type "aws_s3_buckt".*did you mean "aws_s3_bucket"/],
  [create("data.aws_s3_bucket_nope", {}), /unknown data source "data.aws_s3_bucket_nope"/],
  [create("data.aws_iam_user_policy_attachment", {}), /there is a resource type "aws_iam_user_policy_attachment"/],
  [
    bucket({ bukcet: "x" }),
    /aws_s3_bucket: invalid inputs[\s\S]*unknown attribute "bukcet" \(did you mean "bucket"\?\)/,
  ],
  [bucket({ bucket: ["x"] }), /attribute "bucket": expected string/],
  [
    bucket({ bucket: "x", versioning: [{ enabled: "yes" }] }),
    /attribute "versioning\[0\]\.enabled": expected bool(ean)?, got string/,
  ],
  [
    bucket({ bucket: "x", versioning: [{ enabled: true }, { enabled: false }] }),
    /attribute "versioning": expected at most 1 item\(s\), got 2/,
  ],
  [bucket({ bucket: "x", versioning: { enabled: true } }), /attribute "versioning": expected list/],
  [
    bucket({ bucket: "x", cors_rule: [{ allowed_methods: ["GET"] }] }),
    /missing required attribute "cors_rule\[0\]\.allowed_origins"/,
  ],
  [bucket({ bucket: "x", tags: { a: { b: 1 } } }), /attribute "tags\.a": expected string/],
  [
    bucket({ bucket: "x", versioning: [{ enabld: true }] }),
    /unknown attribute "versioning\[0\]\.enabld" \(did you mean "versioning\[0\]\.enabled"\?\)/,
  ],
  [
    create("aws_iam_user", { path: "/", provider: P() }),
    /aws_iam_user: invalid inputs[\s\S]*missing required attribute "name"/,
  ],
  [
    create("aws_iam_user", { name: "u", provider: { ...P(), regoin: "x" } }),
    /unknown attribute "provider\.regoin" \(did you mean "provider\.region"\?\)/,
  ],
  [create("aws_iam_user", { name: "u", provider: "us-east-1" }), /attribute "provider": expected object/],
  [
    create("aws_iam_user", { name: "u", lifecycle: { prevent_destory: true }, provider: P() }),
    /unknown attribute "lifecycle\.prevent_destory" \(did you mean "lifecycle\.prevent_destroy"\?\)/,
  ],
  [create("aws_iam_user", { name: "u", import: {}, provider: P() }), /missing required attribute "import\.id"/],
  [create("aws_iam_user", { name: "u", import: { id: 7 }, provider: P() }), /attribute "import\.id": expected string/],
  [
    create("data.aws_iam_user", { user_name: "u", lifecycle: { prevent_destroy: true }, provider: P() }),
    /unknown attribute "lifecycle"/,
  ],
  [
    JSON.stringify({
      updateResourceRequest: {
        resource: { type: "aws_iam_user", inputProperties: { name: "u" }, outputProperties: { id: "u" } },
        inputProperties: { name: "v", provider: P() },
      },
    }),
    /carry no Terraform state/,
  ],
  [
    JSON.stringify({
      updateResourceRequest: {
        resource: { type: "aws_iam_user", inputProperties: { name: "u" }, outputProperties: { _opentofu: "garbage" } },
        inputProperties: { name: "v", provider: P() },
      },
    }),
    /not a state record written by this bridge/,
  ],
  [JSON.stringify({ updateResourceRequest: { inputProperties: {} } }), /missing the required field "resource"/],
  [
    JSON.stringify({ destroyResourceRequest: { resource: { type: "aws_iam_user" } } }),
    /missing the required field "inputProperties"/,
  ],
  [
    '{"createResourceRequest":{"type":"aws_s3_bucket","inputProperties":{"bucket":"a\u0001b"},"isStateful":true}}',
    /not valid JSON/,
  ],
  ["[".repeat(5000) + "]".repeat(5000), /nests deeper than 200 levels/],
  [bucket({ bucket: "x", tags: { n: 12345678901234567890123 } }), /attribute "tags\.n": expected string/],
];

describe("malformed requests", () => {
  it("answers every one with a clear errorResponse, keeps serving, and touches nothing in the cloud", async () => {
    const cases = corpus();
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]);
    const input = Buffer.concat([
      Buffer.from(cases.map(([line]) => line + "\n").join("")),
      invalidUtf8,
      Buffer.from("\n"),
    ]);
    const run = await runBridge([], { env: bridge.env, rawInput: input });
    expect(run.exitCode).toBe(0);
    // one response per line, the blank line included
    expect(run.responses).toHaveLength(cases.length + 2);
    cases.forEach(([line, pattern], i) => {
      const response = run.responses[i]!;
      expect(response.errorResponse, `case ${i}: ${line.slice(0, 120)}`).toBeDefined();
      expect(response.errorResponse.message, `case ${i}: ${line.slice(0, 120)}`).toMatch(pattern);
    });
    expect(run.responses[cases.length]!.errorResponse.message).toMatch(/not valid UTF-8/);
    expect(run.responses[cases.length + 1]!.errorResponse.message).toMatch(/empty request line/);
    // every stdout line is a protocol message (runBridge already validated each against the upstream schema)
    expect(run.stdout.trim().split("\n")).toHaveLength(cases.length + 2);

    const client = motoSdkConfig(moto);
    const buckets = await new S3Client({ ...client, forcePathStyle: true }).send(new ListBucketsCommand({}));
    expect(buckets.Buckets ?? []).toHaveLength(0);
    const users = await new IAMClient(client).send(new ListUsersCommand({}));
    expect(users.Users ?? []).toHaveLength(0);
  });

  it("answers every request with the configuration error when no provider is configured, and keeps serving", async () => {
    const env = { ...bridge.env, NIXOPS4_OPENTOFU_PROVIDER: undefined };
    const run = await runBridge(
      [
        { createResourceRequest: { type: "aws_s3_bucket", inputProperties: {}, isStateful: true } },
        { createResourceRequest: { type: "x", inputProperties: {}, isStateful: true } },
      ],
      { env },
    );
    expect(run.exitCode).toBe(0);
    expect(run.responses).toHaveLength(2);
    for (const response of run.responses)
      expect(response.errorResponse.message).toMatch(/no Terraform provider configured: pass --provider/);
  });

  it("names a missing engine binary", async () => {
    const run = await runBridge(
      [{ createResourceRequest: { type: "aws_s3_bucket", inputProperties: {}, isStateful: true } }],
      {
        env: { ...bridge.env, NIXOPS4_OPENTOFU_ENGINE: "/nonexistent/tofu" },
      },
    );
    expect(run.responses[0]!.errorResponse.message).toMatch(
      /engine "\/nonexistent\/tofu" does not exist or is not executable/,
    );
  });
});
