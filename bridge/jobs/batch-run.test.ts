// Several operations in one workspace with the real engine, provider and moto: one plan and one apply, and each
// job's outcome its own (a rejected configuration or a failed apply does not take the others down).
import { CreateUserCommand, GetRoleCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_PROVIDER, engineBinary, pluginMirrorDir } from "../../testkit/machine.js";
import { awsProviderConfig, startMoto, type MotoServer } from "../../testkit/moto.js";
import { parseProviderRef } from "../../opentofu/provider/provider-address.js";
import { canonicalHash } from "../json/canonical-json.js";
import { locateProviderBinary } from "../engine/provider-binary.js";
import { acquireProviderLease } from "../provider-host/client/index.js";
import { runBatch, type BatchContext, type BatchJob } from "./batch-run.js";

let moto: MotoServer;
let iam: IAMClient;
let s3: S3Client;
const provider = parseProviderRef(AWS_PROVIDER);
const progress: [number, string][] = [];

beforeAll(async () => {
  moto = await startMoto();
  // The shared provider process reads its environment from the process that starts it: this one.
  Object.assign(process.env, moto.env);
  const client = {
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  iam = new IAMClient(client);
  s3 = new S3Client({ ...client, forcePathStyle: true });
});

afterAll(async () => {
  await moto?.stop();
});

function batch(jobs: BatchJob[], engine = engineBinary(), beforeApply?: BatchContext["beforeApply"]) {
  return runBatch(
    {
      engine,
      provider,
      providerConfig: awsProviderConfig(),
      pluginDir: pluginMirrorDir(),
      baseEnv: process.env,
      // In this process, attached to a shared provider's host (as the host itself runs batches).
      attach: async () => {
        const lease = await acquireProviderLease({
          providerAddress: provider.address,
          providerVersion: provider.version,
          binaryPath: locateProviderBinary([pluginMirrorDir()], provider)!,
          env: process.env,
          configKey: canonicalHash(awsProviderConfig()),
          resourceTypes: jobs.map((j) => j.resource.type),
          dataSourceTypes: [],
          log: () => undefined,
        });
        if (!lease) throw new Error("no provider host for the test");
        return { engineEnv: lease.engineEnv, release: () => lease.release() };
      },
      progress: (job, line) => progress.push([job, line]),
      beforeApply,
    },
    jobs,
  );
}

const managed = (type: string, args: Record<string, unknown>): BatchJob["resource"] => ({
  mode: "managed",
  type,
  args,
});
const exists = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

describe("runBatch", () => {
  it("creates, rejects and destroys side by side in one plan and one apply", async () => {
    await iam.send(new CreateUserCommand({ UserName: "batch-gone" }));
    const [adopted] = await batch([
      {
        label: "aws_iam_user",
        resource: { ...managed("aws_iam_user", { name: "batch-gone" }), importId: "batch-gone" },
        action: "apply",
      },
    ]);
    expect(adopted!.kind).toBe("done");
    const priorOfGone = adopted!.kind === "done" ? adopted!.state : undefined;

    progress.length = 0;
    // What operation records note before the apply: each live job's planned actions, while nothing exists yet.
    const noted: { actions: [number, string[]][]; bucketExisted: boolean }[] = [];
    const beforeApply = async (actions: Map<number, string[]>) => {
      const bucketExisted = await exists(s3.send(new HeadBucketCommand({ Bucket: "batch-bucket" })));
      noted.push({ actions: [...actions].sort(([a], [b]) => a - b), bucketExisted });
    };
    const outcomes = await batch(
      [
        { label: "aws_s3_bucket", resource: managed("aws_s3_bucket", { bucket: "batch-bucket" }), action: "apply" },
        { label: "aws_iam_user", resource: managed("aws_iam_user", { name: "batch-user" }), action: "apply" },
        // rejected by the provider at plan time; the plan is repeated without it
        {
          label: "aws_s3_bucket",
          resource: managed("aws_s3_bucket", {
            bucket: "batch-bad",
            lifecycle_rule: [{ enabled: true, expiration: [{ days: -3 }] }],
          }),
          action: "apply",
        },
        {
          label: "aws_iam_user",
          resource: managed("aws_iam_user", { name: "batch-gone" }),
          prior: priorOfGone,
          action: "destroy",
        },
      ],
      engineBinary(),
      beforeApply,
    );
    expect(noted).toEqual([
      {
        actions: [
          [0, ["create"]],
          [1, ["create"]],
          [3, ["delete"]],
        ],
        bucketExisted: false,
      },
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(["done", "done", "failed", "done"]);
    const bad = outcomes[2]!;
    expect(bad.kind === "failed" && bad.stage).toBe("plan");
    expect(bad.kind === "failed" && bad.details).toMatch(
      /expected lifecycle_rule\.0\.expiration\.0\.days to be at least \(0\)[\s\S]*at attribute: lifecycle_rule\[0\]\.expiration\[0\]\.days/,
    );
    expect(outcomes[0]!.kind === "done" && outcomes[0]!.state?.attributes.arn).toBe("arn:aws:s3:::batch-bucket");
    expect(outcomes[1]!.kind === "done" && outcomes[1]!.state?.attributes.name).toBe("batch-user");
    expect(outcomes[3]!.kind === "done" && outcomes[3]!.state).toBeUndefined();

    expect(await exists(s3.send(new HeadBucketCommand({ Bucket: "batch-bucket" })))).toBe(true);
    expect(await exists(s3.send(new HeadBucketCommand({ Bucket: "batch-bad" })))).toBe(false);
    expect(await exists(iam.send(new GetUserCommand({ UserName: "batch-user" })))).toBe(true);
    expect(await exists(iam.send(new GetUserCommand({ UserName: "batch-gone" })))).toBe(false);
    // each job saw its own progress
    expect(progress.some(([job, line]) => job === 1 && /aws_iam_user: Creation complete/.test(line))).toBe(true);
    expect(progress.some(([job, line]) => job === 3 && /Destruction complete/.test(line))).toBe(true);
  });

  it("keeps an apply failure to its own job and returns what the engine recorded", async () => {
    const assume = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    const outcomes = await batch([
      {
        label: "aws_iam_role",
        resource: managed("aws_iam_role", {
          name: "batch-half",
          assume_role_policy: assume,
          managed_policy_arns: ["arn:aws:iam::123456789012:policy/missing"],
        }),
        action: "apply",
      },
      { label: "aws_iam_user", resource: managed("aws_iam_user", { name: "batch-ok" }), action: "apply" },
    ]);
    expect(outcomes[0]!.kind).toBe("failed");
    expect(outcomes[0]!.kind === "failed" && outcomes[0]!.stage).toBe("apply");
    expect(outcomes[0]!.kind === "failed" && outcomes[0]!.details).toMatch(/NoSuchEntity/);
    expect(outcomes[1]!.kind).toBe("done");
    expect(await exists(iam.send(new GetRoleCommand({ RoleName: "batch-half" })))).toBe(true);
    expect(await exists(iam.send(new GetUserCommand({ UserName: "batch-ok" })))).toBe(true);
  });

  it("creates plain new resources with one engine command; a rejected one costs a plan, not the others' creation", async () => {
    // An engine that notes each command it is asked to run, then runs the real one.
    const dir = mkdtempSync(join(tmpdir(), "batch-engine-"));
    const commands = join(dir, "commands");
    writeFileSync(join(dir, "engine"), `#!/bin/sh\necho "$1" >> '${commands}'\nexec '${engineBinary()}' "$@"\n`);
    chmodSync(join(dir, "engine"), 0o755);
    const ran = () => readFileSync(commands, "utf8").trim().split("\n");
    try {
      progress.length = 0;
      const created = await batch(
        [
          { label: "aws_iam_user", resource: managed("aws_iam_user", { name: "direct-1" }), action: "apply" },
          { label: "aws_s3_bucket", resource: managed("aws_s3_bucket", { bucket: "direct-2" }), action: "apply" },
        ],
        join(dir, "engine"),
      );
      expect(created.map((o) => o.kind === "done" && o.actions)).toEqual([["create"], ["create"]]);
      expect(created[0]!.kind === "done" && created[0]!.state?.attributes.arn).toMatch(/:user\/direct-1$/);
      expect(ran().filter((c) => c !== "version")).toEqual(["apply"]);
      expect(await exists(iam.send(new GetUserCommand({ UserName: "direct-1" })))).toBe(true);
      expect(await exists(s3.send(new HeadBucketCommand({ Bucket: "direct-2" })))).toBe(true);
      // Each job's plan and result, each shown once.
      const lines = progress.filter(([job]) => job === 0).map(([, line]) => line);
      expect(lines.filter((l) => /Plan to create/.test(l))).toHaveLength(1);
      expect(lines.filter((l) => /Creation complete/.test(l))).toHaveLength(1);

      writeFileSync(commands, "");
      const mixed = await batch(
        [
          {
            label: "aws_s3_bucket",
            resource: managed("aws_s3_bucket", {
              bucket: "direct-bad",
              lifecycle_rule: [{ enabled: true, expiration: [{ days: -1 }] }],
            }),
            action: "apply",
          },
          { label: "aws_iam_user", resource: managed("aws_iam_user", { name: "direct-3" }), action: "apply" },
        ],
        join(dir, "engine"),
      );
      expect(mixed.map((o) => o.kind)).toEqual(["failed", "done"]);
      expect(mixed[0]!.kind === "failed" && mixed[0]!.stage).toBe("plan");
      expect(mixed[0]!.kind === "failed" && mixed[0]!.details).toMatch(/days to be at least \(0\)/);
      // The one-step apply planned nothing into the cloud; the two-step path dropped the rejected job.
      expect(ran().filter((c) => c !== "version")).toEqual(["apply", "plan", "plan", "apply"]);
      expect(await exists(iam.send(new GetUserCommand({ UserName: "direct-3" })))).toBe(true);
      expect(await exists(s3.send(new HeadBucketCommand({ Bucket: "direct-bad" })))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
