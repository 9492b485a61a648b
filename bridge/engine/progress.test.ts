import { describe, expect, it } from "vitest";
import type { UiMessage } from "../../opentofu/engine/json-ui.js";
import { progressLine } from "./progress.js";

const message = (type: string, text: string, extra: Partial<UiMessage> = {}): UiMessage => ({
  "@level": "info",
  "@message": text,
  type,
  ...extra,
});

describe("progressLine", () => {
  it("shows the engine's own words without the workspace-internal address", () => {
    expect(progressLine(message("apply_start", "aws_s3_bucket.r0: Creating..."), "aws_s3_bucket b")).toBe(
      "aws_s3_bucket b: Creating...",
    );
    expect(
      progressLine(message("apply_progress", "data.aws_ami.r12: Still reading... [10s elapsed]"), "data.aws_ami x"),
    ).toBe("data.aws_ami x: Still reading... [10s elapsed]");
    expect(
      progressLine(message("change_summary", "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."), "l"),
    ).toBe("l: Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  });

  it("adds the reason of a planned replacement in words", () => {
    const planned = message("planned_change", "aws_s3_bucket.r0: Plan to replace", {
      change: {
        resource: { addr: "aws_s3_bucket.r0", resource_type: "aws_s3_bucket", resource_name: "r0" },
        action: "replace",
        reason: "cannot_update",
      },
    });
    expect(progressLine(planned, "b")).toBe("b: Plan to replace (cannot update)");
  });

  it("passes warnings, leaves errors to the diagnostics, and hides messages of no interest", () => {
    expect(
      progressLine(
        message("diagnostic", "w", { diagnostic: { severity: "warning", summary: "Deprecated argument" } }),
        "b",
      ),
    ).toBe("b: warning: Deprecated argument");
    expect(
      progressLine(message("diagnostic", "e", { diagnostic: { severity: "error", summary: "Boom" } }), "b"),
    ).toBeUndefined();
    expect(progressLine(message("version", "OpenTofu 1.8.0"), "b")).toBeUndefined();
    expect(progressLine(message("refresh_start", "aws_s3_bucket.r0: Refreshing state..."), "b")).toBeUndefined();
  });
});
