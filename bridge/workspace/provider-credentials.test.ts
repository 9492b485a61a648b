import { describe, expect, it } from "vitest";
import { LosslessNumber } from "../json/exact-json.js";
import { mainTfJson } from "./main-tf.js";
import { parseProviderRef } from "../../opentofu/provider/provider-address.js";
import { credentialVariableBlocks, credentialVariableEnv, splitProviderConfig } from "./provider-credentials.js";
import { VariableReference } from "./terraform-json.js";

const aws = parseProviderRef("hashicorp/aws@5.100.0");

describe("splitProviderConfig", () => {
  const config = {
    region: "us-east-1",
    secret_key: "sk-${var.x}",
    assume_role: [{ role_arn: "arn:r", external_id: "ext-1" }],
    shared_credentials_files: ["/a", "/b"],
    max_retries: new LosslessNumber("3"),
  };

  it("replaces each string under a credential path by a variable, leaving everything else inline", () => {
    const split = splitProviderConfig(config, [
      ["secret_key"],
      ["assume_role", 0, "external_id"],
      ["shared_credentials_files"],
      ["max_retries"],
      ["absent"],
    ]);
    expect(split.variables).toEqual([
      { name: "nixops4_credential_0", value: "sk-${var.x}" },
      { name: "nixops4_credential_1", value: "ext-1" },
      { name: "nixops4_credential_2", value: "/a" },
      { name: "nixops4_credential_3", value: "/b" },
    ]);
    expect(split.config).toEqual({
      region: "us-east-1",
      secret_key: new VariableReference("nixops4_credential_0"),
      assume_role: [{ role_arn: "arn:r", external_id: new VariableReference("nixops4_credential_1") }],
      shared_credentials_files: [
        new VariableReference("nixops4_credential_2"),
        new VariableReference("nixops4_credential_3"),
      ],
      max_retries: new LosslessNumber("3"),
    });
    // The input is left as it was (the host batches runs that share it).
    expect(config.secret_key).toBe("sk-${var.x}");
  });

  it("without credential paths changes nothing", () => {
    expect(splitProviderConfig(config, [])).toEqual({ config, variables: [] });
  });

  it("writes only the references into main.tf.json, unescaped, and the values only into the environment", () => {
    const split = splitProviderConfig({ region: "r", token: "t-%{x}-${y}" }, [["token"]]);
    const text = JSON.stringify(mainTfJson(aws, split.config, [], credentialVariableBlocks(split.variables)));
    expect(JSON.parse(text)).toMatchObject({
      variable: {
        nixops4_credential_0: { type: "string", ephemeral: true, sensitive: true, nullable: false },
      },
      provider: { aws: { region: "r", token: "${var.nixops4_credential_0}" } },
    });
    expect(text).not.toContain("t-%{x}");
    expect(credentialVariableEnv(split.variables)).toEqual({ TF_VAR_nixops4_credential_0: "t-%{x}-${y}" });
  });
});
