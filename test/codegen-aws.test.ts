// The codegen on the whole real AWS provider (1,526 resources, 608 data sources), through the built CLI.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGeneratedInputAjv } from "../opentofu/wire/ajv.js";
import type { JsonSchema } from "../opentofu/wire/json-schema.js";
import type { ProviderIndex } from "../codegen/generate-provider.js";
import { awsSchemaFile } from "../testkit/aws-schema.js";
import { runCli } from "../testkit/cli.js";
import { schemaTypeScriptDisagreements } from "../testkit/schema-typescript-agreement.js";
import { evalTypeInputs, MINI_LIB_DIR, nixEval, nixParse } from "../testkit/nix.js";
import { typeCheckDir } from "../testkit/typescript.js";
import type { ResourceMode } from "../opentofu/wire/wire-contract.js";

describe("codegen of hashicorp/aws 5.100.0", () => {
  let out: DirectoryResult;
  let index: ProviderIndex;
  const path = (p: string) => join(out.path, p);
  const readJson = (p: string) => JSON.parse(readFileSync(path(p), "utf8")) as JsonSchema;

  beforeAll(async () => {
    const schema = await awsSchemaFile();
    out = await tmpDir({ unsafeCleanup: true, prefix: "aws-package-" });
    const result = await runCli([
      "codegen",
      "--schema",
      schema,
      "--provider",
      "hashicorp/aws@5.100.0",
      "--out",
      out.path,
    ]);
    expect(result.stderr).toContain("wrote 1526 resources and 608 data sources of hashicorp/aws 5.100.0");
    expect(result.exitCode).toBe(0);
    index = JSON.parse(readFileSync(path("index.json"), "utf8")) as ProviderIndex;
  }, 300_000);
  afterAll(() => out?.cleanup());

  it("writes all four artifacts for every resource and data source, listed in index.json", () => {
    expect(index.provider).toEqual({
      source: "hashicorp/aws",
      version: "5.100.0",
      address: "registry.terraform.io/hashicorp/aws",
    });
    expect(Object.keys(index.resources)).toHaveLength(1526);
    expect(Object.keys(index.dataSources)).toHaveLength(608);
    expect(index.dataSources.aws_ami).toMatchObject({
      wireType: "data.aws_ami",
      nixName: "data_aws_ami",
      nix: "data-sources/aws_ami.nix",
    });
    const onDisk = new Set(["resources", "data-sources"].flatMap((d) => readdirSync(path(d)).map((f) => `${d}/${f}`)));
    const listed = [...Object.values(index.resources), ...Object.values(index.dataSources)].flatMap((t) => [
      t.nix,
      t.jsonSchema,
      t.typescript,
      t.docs,
    ]);
    expect(listed).toHaveLength(4 * 2134);
    expect(new Set(listed)).toEqual(onDisk);
  });

  it("every Nix file parses", async () => {
    const files = [...Object.values(index.resources), ...Object.values(index.dataSources)].map((t) => path(t.nix));
    await nixParse([...files, path(index.providerModule), path(index.metaArguments.nix)]);
  }, 120_000);

  it("the provider module lists every type and each type module evaluates (stand-in lib)", async () => {
    const result = await nixEval(join(MINI_LIB_DIR, "eval-provider.nix"), { providerDir: out.path });
    expect(result.error).toBe("");
    const provider = result.value as {
      args: string[];
      resourceTypes: Record<string, { type: string; requireState: boolean }>;
    };
    expect(provider.args).toEqual(["--provider", "hashicorp/aws@5.100.0"]);
    expect(Object.keys(provider.resourceTypes)).toHaveLength(2134);
    expect(provider.resourceTypes.aws_s3_bucket).toEqual({ type: "aws_s3_bucket", requireState: true });
    expect(provider.resourceTypes.data_aws_ami).toEqual({ type: "data.aws_ami", requireState: false });
  }, 120_000);

  it("every TypeScript file compiles with tsc --strict", async () => {
    expect(await typeCheckDir(out.path)).toBe("");
  }, 300_000);

  it("every JSON Schema compiles under strict Ajv", async () => {
    const ajv = createGeneratedInputAjv(readJson(index.metaArguments.jsonSchema));
    let compiled = 0;
    for (const [type, files] of [...Object.entries(index.resources), ...Object.entries(index.dataSources)]) {
      expect(() => ajv.compile(readJson(files.jsonSchema)), type).not.toThrow();
      // Let vitest's worker talk to its parent now and then; a long synchronous loop makes its RPC time out.
      if (++compiled % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(compiled).toBe(2134);
  }, 300_000);

  describe("input JSON Schemas of real types", () => {
    const validator = (type: string) => {
      const ajv = createGeneratedInputAjv(readJson(index.metaArguments.jsonSchema));
      const validate = ajv.compile(readJson(index.resources[type]!.jsonSchema));
      return (value: unknown) => ({
        ok: validate(value),
        errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`),
      });
    };

    it("aws_s3_bucket", () => {
      const check = validator("aws_s3_bucket");
      expect(
        check({
          bucket: "b",
          tags: { a: "b" },
          force_destroy: true,
          provider: { region: "us-east-1", endpoints: [{ s3: "http://127.0.0.1:5000" }] },
        }),
      ).toEqual({ ok: true, errors: [] });
      expect(check({}).ok).toBe(true); // every argument of aws_s3_bucket is optional
      expect(check({ buckett: "b" }).errors).toContain(" must NOT have additional properties");
      expect(check({ bucket: 3 }).errors).toContain("/bucket must be string,null");
      expect(check({ arn: "computed" }).ok).toBe(false);
      expect(check({ id: "legacy" }).ok).toBe(false);
      expect(check({ lifecycle: { prevent_destroy: true }, import: { id: "b" } }).ok).toBe(true);
      expect(check({ provider: { region: 1 } }).errors).toContain("/provider/region must be string,null");
    });

    it("aws_instance", () => {
      const check = validator("aws_instance");
      const good = {
        ami: "ami-1",
        instance_type: "t3.micro",
        ebs_block_device: [{ device_name: "/dev/sdb", volume_size: 8 }],
        root_block_device: [{ volume_size: 10 }],
      };
      expect(check(good)).toEqual({ ok: true, errors: [] });
      expect(check({ ...good, ebs_block_device: [{ volume_size: 8 }] }).errors).toContain(
        "/ebs_block_device/0 must have required property 'device_name'",
      );
      expect(check({ ...good, root_block_device: [{}, {}] }).errors).toContain(
        "/root_block_device must NOT have more than 1 items",
      );
      expect(check({ ...good, instance_type: ["t3"] }).ok).toBe(false);
    });

    it("aws_iam_user", () => {
      const check = validator("aws_iam_user");
      expect(check({ name: "u", path: "/", tags: { team: "x" } })).toEqual({ ok: true, errors: [] });
      expect(check({ path: "/" }).errors).toContain(" must have required property 'name'");
      expect(check({ name: "u", unique_id: "computed" }).ok).toBe(false);
      expect(check({ name: "u", tags: { team: 1 } }).errors).toContain("/tags/team must be string");
    });
  });

  it("Nix options of real types accept valid inputs and reject wrong names and types with the option path (stand-in lib)", async () => {
    const bucket = path(index.resources.aws_s3_bucket!.nix);
    const ok = await evalTypeInputs(bucket, '{ bucket = "b"; tags.team = "x"; provider.region = "us-east-1"; }');
    expect(ok.error).toBe("");
    expect((ok.value as { inputs: Record<string, unknown> }).inputs).toMatchObject({
      bucket: "b",
      tags: { team: "x" },
      force_destroy: null,
      lifecycle: null,
    });
    expect((await evalTypeInputs(bucket, '{ buckett = "b"; }')).error).toContain("inputs: unknown option(s): buckett");
    const instance = path(index.resources.aws_instance!.nix);
    expect((await evalTypeInputs(instance, "{ ebs_block_device = [ { volume_size = 8; } ]; }")).error).toContain(
      "inputs.ebs_block_device.0.device_name: required option has no value",
    );
    expect((await evalTypeInputs(instance, '{ root_block_device = [ { volume_size = "big"; } ]; }')).error).toContain(
      'inputs.root_block_device.0.volume_size: expected number, got string "big"',
    );
  }, 60_000);

  it("keeps the five giants small by sharing repeated structures", () => {
    for (const type of [
      "aws_quicksight_analysis",
      "aws_quicksight_dashboard",
      "aws_quicksight_template",
      "aws_wafv2_web_acl",
      "aws_wafv2_rule_group",
    ]) {
      const files = index.resources[type]!;
      for (const file of [files.nix, files.jsonSchema, files.typescript]) {
        expect(readFileSync(path(file)).length, file).toBeLessThan(1_000_000);
      }
    }
  });

  // Last: it adds json-schema-to-typescript's files to the package.
  it("every input TypeScript type accepts exactly what its JSON Schema accepts (json-schema-to-typescript cross-check)", async () => {
    const types: [ResourceMode, string][] = [
      ...Object.keys(index.resources).map((t) => ["managed", t] as ["managed", string]),
      ...Object.keys(index.dataSources).map((t) => ["data", t] as ["data", string]),
    ];
    expect(types).toHaveLength(2134);
    expect(await schemaTypeScriptDisagreements(out.path, index, types)).toBe("");
  }, 600_000);
});
