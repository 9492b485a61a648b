import { describe, expect, it } from "vitest";
import { parseUiLine } from "./json-ui.js";

describe("parseUiLine", () => {
  it("reads a UI message of the engine's -json output", () => {
    const line =
      '{"@level":"info","@message":"aws_iam_user.r0: Plan to create","type":"planned_change",' +
      '"change":{"resource":{"addr":"aws_iam_user.r0","resource_type":"aws_iam_user","resource_name":"r0"},"action":"create"}}';
    expect(parseUiLine(line)).toMatchObject({ type: "planned_change", change: { action: "create" } });
  });

  it("leaves out what is not a UI message: plain text, broken JSON, JSON without a type", () => {
    expect(parseUiLine("Terraform has been successfully initialized!")).toBeUndefined();
    expect(parseUiLine('{"type":"diagnostic"')).toBeUndefined();
    expect(parseUiLine('{"@level":"info"}')).toBeUndefined();
    expect(parseUiLine('{"type":7}')).toBeUndefined();
  });
});
