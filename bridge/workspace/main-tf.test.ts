import { describe, expect, it } from "vitest";
import { parseProviderRef } from "../../opentofu/provider/provider-address.js";
import { mainTfJson, resourceAddress, resourceName } from "./main-tf.js";

const aws = parseProviderRef("hashicorp/aws@5.100.0");

describe("mainTfJson", () => {
  it("requires the provider, configures it, and names each resource r<i> under its kind's block", () => {
    const config = mainTfJson(aws, { region: "eu-west-1" }, [
      {
        name: resourceName(0),
        resource: {
          mode: "managed",
          type: "aws_s3_bucket",
          args: { bucket: "b" },
          lifecycle: { prevent_destroy: true },
        },
      },
      { name: resourceName(1), resource: { mode: "data", type: "aws_caller_identity", args: {} } },
      {
        name: resourceName(2),
        resource: { mode: "managed", type: "aws_iam_user", args: { name: "u" }, lifecycle: {}, importId: "u" },
      },
    ]);
    expect(config).toEqual({
      terraform: { required_providers: { aws: { source: "registry.terraform.io/hashicorp/aws", version: "5.100.0" } } },
      provider: { aws: { region: "eu-west-1" } },
      resource: {
        aws_s3_bucket: { r0: { bucket: "b", provider: "aws", lifecycle: { prevent_destroy: true } } },
        aws_iam_user: { r2: { name: "u", provider: "aws" } },
      },
      data: { aws_caller_identity: { r1: { provider: "aws" } } },
      import: [{ to: "aws_iam_user.r2", id: "u" }],
    });
  });

  it("holds only the provider when there are no resources (a destroy)", () => {
    expect(Object.keys(mainTfJson(aws, {}, []))).toEqual(["terraform", "provider"]);
  });

  it("escapes template sequences so that values reach the provider literally", () => {
    const config = mainTfJson(aws, {}, [
      { name: "r0", resource: { mode: "managed", type: "t", args: { s: "${var.x} %{if}" } } },
    ]) as {
      resource: { t: { r0: { s: string } } };
    };
    expect(config.resource.t.r0.s).toBe("$${var.x} %%{if}");
  });
});

describe("resourceAddress", () => {
  it("prefixes data sources with data.", () => {
    expect(resourceAddress({ mode: "data", type: "aws_ami" }, "r3")).toBe("data.aws_ami.r3");
    expect(resourceAddress({ mode: "managed", type: "aws_ami" }, "r3")).toBe("aws_ami.r3");
  });
});
