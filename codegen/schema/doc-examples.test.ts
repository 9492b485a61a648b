import { describe, expect, it } from "vitest";
import { docExamples } from "./doc-examples.js";

describe("docExamples", () => {
  it("takes the HCL code blocks of the Example Usage section, titled by the heading above them", () => {
    const page = [
      "# Resource: x",
      "```terraform",
      'resource "x" "before" {}',
      "```",
      "## Example Usage",
      "```terraform",
      'resource "x" "plain" {}',
      "```",
      "### With Tags",
      "Some prose.",
      "```hcl",
      'resource "x" "tagged" {',
      "  # ```",
      "}",
      "```",
      "```shell",
      "terraform import x.y id",
      "```",
      "## Argument Reference",
      "```terraform",
      'resource "x" "after" {}',
      "```",
    ].join("\n");
    expect(docExamples(page)).toEqual([
      { hcl: 'resource "x" "plain" {}\n' },
      { title: "With Tags", hcl: 'resource "x" "tagged" {\n  # ```\n}\n' },
    ]);
  });
});
