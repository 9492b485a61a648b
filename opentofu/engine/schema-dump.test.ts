import { describe, expect, it } from "vitest";
import { engineBinary, pluginMirrorDir } from "../../testkit/machine.js";
import { obtainProviderSchema, SchemaDumpError } from "./schema-dump.js";

describe("obtainProviderSchema", () => {
  it("dumps the real AWS provider's schema from the filesystem mirror, despite a TF_CLI_CONFIG_FILE that does not exist", async () => {
    const saved = process.env.TF_CLI_CONFIG_FILE;
    process.env.TF_CLI_CONFIG_FILE = "/nonexistent/terraformrc";
    try {
      const document = await obtainProviderSchema({
        provider: "hashicorp/aws@5.100.0",
        engine: engineBinary(),
        pluginDir: pluginMirrorDir(),
      });
      const aws = document.provider_schemas!["registry.terraform.io/hashicorp/aws"]!;
      expect(Object.keys(aws.resource_schemas!)).toHaveLength(1526);
      expect(Object.keys(aws.data_source_schemas!)).toHaveLength(608);
      expect(aws.resource_schemas!.aws_s3_bucket!.block.attributes!.bucket).toMatchObject({ type: "string" });
    } finally {
      if (saved === undefined) delete process.env.TF_CLI_CONFIG_FILE;
      else process.env.TF_CLI_CONFIG_FILE = saved;
    }
  });

  it("fails with the engine's own message when the mirror lacks the version", async () => {
    const attempt = obtainProviderSchema({
      provider: "hashicorp/aws@9.9.9",
      engine: engineBinary(),
      pluginDir: pluginMirrorDir(),
    });
    await expect(attempt).rejects.toThrow(SchemaDumpError);
    await expect(attempt).rejects.toThrow(
      /init -input=false -no-color failed for provider hashicorp\/aws@9\.9\.9.*9\.9\.9/s,
    );
  });
});
