import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { edgeEntry } from "../../testkit/edge-fixture.js";
import { AWS_GOLDEN_SCHEMA } from "../../testkit/golden.js";
import type { ProvidersSchemaDocument } from "../../opentofu/provider/provider-schema.js";
import { exampleModule } from "./example-module.js";
import { convertHclExample } from "./hcl-example.js";
import { exampleTypes } from "./usage-examples.js";

const aws = exampleTypes(
  (JSON.parse(readFileSync(AWS_GOLDEN_SCHEMA, "utf8")) as ProvidersSchemaDocument).provider_schemas![
    "registry.terraform.io/hashicorp/aws"
  ]!,
);
const edge = exampleTypes(edgeEntry());
const toNix = async (hcl: string, types = aws, provider = "aws") =>
  exampleModule(provider, await convertHclExample(hcl, types));

describe("convertHclExample", () => {
  it("turns resources into members and references into the members' outputs", async () => {
    const hcl = `
resource "aws_s3_bucket" "b" {
  bucket        = "reports"
  force_destroy = "true"
}
resource "aws_iam_user_policy" "read" {
  name = "read-\${aws_s3_bucket.b.bucket}"
  user = "reader"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "\${aws_s3_bucket.b.arn}/*" }]
  })
}`;
    expect(await toNix(hcl)).toBe(`{ providers, members, ... }:
{
  members.b = {
    type = providers.aws.aws_s3_bucket;
    state = members.state;
    inputs = {
      bucket = "reports";
      force_destroy = true;
    };
  };

  members.read = {
    type = providers.aws.aws_iam_user_policy;
    state = members.state;
    inputs = {
      name = "read-\${members.b.outputs.bucket}";
      policy = builtins.toJSON {
        Version = "2012-10-17";
        Statement = [
          {
            Effect = "Allow";
            Action = [ "s3:GetObject" ];
            Resource = "\${members.b.outputs.arn}/*";
          }
        ];
      };
      user = "reader";
    };
  };
}
`);
  });

  it("keeps heredoc policies as indented strings, data sources without state, and names apart", async () => {
    const hcl = [
      'data "aws_iam_policy_document" "p" {',
      "  statement {",
      '    actions   = ["s3:*"]',
      "    resources = [aws_s3_bucket.p.arn]",
      "  }",
      "}",
      'resource "aws_s3_bucket" "p" {}',
      'resource "aws_iam_user_policy" "q" {',
      '  user   = "u"',
      "  policy = <<POLICY",
      "{",
      '  "Statement": [{ "Resource": "${aws_s3_bucket.p.arn}", "Literal": "$${aws:username}" }]',
      "}",
      "POLICY",
      "}",
    ].join("\n");
    const text = await toNix(hcl);
    expect(text).toContain(
      "  members.p_iam_policy_document_data = {\n    type = providers.aws.data_aws_iam_policy_document;\n    inputs = {",
    );
    expect(text).toContain("resources = [ members.p_s3_bucket.outputs.arn ];");
    expect(text).toContain(
      [
        "      policy = ''",
        "        {",
        `          "Statement": [{ "Resource": "\${members.p_s3_bucket.outputs.arn}", "Literal": "''\${aws:username}" }]`,
        "        }",
        "      '';",
      ].join("\n"),
    );
  });

  it("types values by the schema: single blocks, map blocks, numbers in strings", async () => {
    const hcl = `
resource "edge_thing" "t" {
  name  = "n"
  zones = ["a"]
  size  = "3"
  list_nested = [{ cidr = "10.0.0.0/8" }]
  rule {
    priority = 1
  }
  single_block {
    mode = "m"
  }
  named "first" {
    value = "v"
  }
}`;
    const text = await toNix(hcl, edge, "edge");
    expect(text).toContain("size = 3;");
    expect(text).toContain('single_block = {\n        mode = "m";\n      };');
    expect(text).toContain('named = {\n        first = {\n          value = "v";\n        };\n      };');
    expect(text).toContain("rule = [\n        {\n          priority = 1;\n        }\n      ];");
  });

  it.each([
    ['resource "aws_s3_bucket" "b" {\n  count = 2\n}', "aws_s3_bucket.b: uses `count`"],
    [
      'resource "aws_s3_bucket" "b" {\n  bucket = var.name\n}',
      "refers to `var.name`, which the example does not define",
    ],
    ['resource "aws_vpc" "v" {}', "uses resource aws_vpc, which the provider's schema does not have"],
    ['resource "aws_s3_bucket" "b" {\n  buckt = "x"\n}', "aws_s3_bucket.b.buckt: not an input of this type"],
    ['resource "aws_iam_user_policy" "p" {\n  user = "u"\n}', "aws_iam_user_policy.p.policy: required, not set"],
    [
      'resource "aws_s3_bucket" "b" {}\nresource "aws_iam_user_policy" "p" {\n  user = "u"\n  policy = aws_s3_bucket.b.nope\n}',
      "aws_s3_bucket has no output nope",
    ],
    ['resource "aws_s3_bucket" "b" {\n  bucket = upper("x")\n}', '`upper("x")` has no Nix form here'],
    ["locals {\n  a = 1\n}", "uses a `locals` block"],
    ['resource "aws_s3_bucket" "b" {', "not valid HCL"],
  ])("refuses what has no faithful Nix form: %s", async (hcl, message) => {
    await expect(convertHclExample(hcl, aws)).rejects.toThrow(message);
  });
});
