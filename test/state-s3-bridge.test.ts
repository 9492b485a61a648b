// The state round trip NixOps4 makes with this project: a resource created by the bridge
// (nixops4-resources-opentofu), recorded through nixops4-state-s3 as NixOps4 records it (a patch adding the
// resource with its inputs and outputs), read back by a new state session after the processes are gone, and
// those outputs used for the resource's next update. Checked in moto with the AWS SDK.
import { CreateBucketCommand, GetBucketTaggingCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { outputsOf, runBridge } from "../testkit/bridge-process.js";
import { motoSdkConfig, type MotoServer, startMoto } from "../testkit/moto.js";
import { startStateSession, stateRequests } from "../testkit/state-session.js";

let moto: MotoServer;
let bridge: AwsBridgeEnv;
let s3: S3Client;
const STATE_BUCKET = "deployment-state";

beforeAll(async () => {
  moto = await startMoto();
  bridge = awsBridgeEnv(moto);
  s3 = new S3Client({ ...motoSdkConfig(moto), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: STATE_BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  bridge?.cleanup();
  await moto?.stop();
});

describe("AWS resources whose state lives in S3", () => {
  it("are recorded with their outputs, read back by a new session, and updated from those outputs", async () => {
    const state = stateRequests({
      bucket: STATE_BUCKET,
      key: "app/state.json",
      endpoint: moto.endpoint,
      region: "us-east-1",
      force_path_style: true,
    });
    const path = "/deployments/app/resources/bucket";

    // First apply: state session opened, the bucket created by the bridge, its record sent as a state event.
    const first = startStateSession(bridge.env);
    expect((await first.send(state.create)).createResourceResponse).toBeDefined();
    expect((await first.send(state.read)).stateResourceReadResponse.state.deployments).toEqual({});
    const inputs = { bucket: "app-assets", tags: { stage: "one" }, force_destroy: null, provider: bridge.provider };
    const created = await runBridge(
      [{ createResourceRequest: { type: "aws_s3_bucket", inputProperties: inputs, isStateful: true } }],
      { env: bridge.env },
    );
    const outputs = outputsOf(created.responses[0]);
    const record = { type: "aws_s3_bucket", input_properties: inputs, output_properties: outputs };
    const patch = [{ op: "add", path: "/deployments/app", value: { deployments: {}, resources: { bucket: record } } }];
    expect(await first.send(state.event(patch))).toEqual({ stateResourceEventResponse: {} });
    expect(await first.close()).toBe(0);

    // Second apply, all processes new: the record comes back from S3 whole, Terraform's private state included.
    const second = startStateSession(bridge.env);
    const read = (await second.send(state.read)).stateResourceReadResponse.state;
    const back = read.deployments.app.resources.bucket;
    expect(back).toEqual(record);
    expect(back.output_properties._opentofu).toEqual(outputs._opentofu);

    const newInputs = { ...inputs, tags: { stage: "two" } };
    const updated = await runBridge(
      [
        {
          updateResourceRequest: {
            resource: {
              type: back.type,
              inputProperties: back.input_properties,
              outputProperties: back.output_properties,
            },
            inputProperties: newInputs,
          },
        },
      ],
      { env: bridge.env },
    );
    const newOutputs = outputsOf(updated.responses[0]);
    expect(newOutputs.arn).toBe(back.output_properties.arn); // updated in place from the stored state, not made anew
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: "app-assets" }));
    expect(tagging.TagSet).toEqual([{ Key: "stage", Value: "two" }]);

    const update = [
      { op: "replace", path: `${path}/input_properties/tags/stage`, value: "two" },
      { op: "replace", path: `${path}/output_properties`, value: newOutputs },
    ];
    expect(await second.send(state.event(update, "update"))).toEqual({ stateResourceEventResponse: {} });
    expect(await second.close()).toBe(0);

    const stored = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: STATE_BUCKET, Key: "app/state.json" }))
      ).Body!.transformToString(),
    );
    expect(stored.index).toBe(2);
    expect(stored.state.deployments.app.resources.bucket).toEqual({
      type: "aws_s3_bucket",
      input_properties: newInputs,
      output_properties: newOutputs,
    });
  });
});
