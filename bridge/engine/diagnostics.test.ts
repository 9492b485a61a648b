import { describe, expect, it } from "vitest";
import { formatDiagnostic, formatDiagnostics, userPath } from "./diagnostics.js";

describe("userPath", () => {
  it("drops the workspace's block, type and resource name and keeps what the user wrote", () => {
    expect(userPath(["resource", "aws_s3_bucket", "r0", "tags", "Name"])).toBe("tags.Name");
    expect(userPath(["data", "aws_ami", "r2", "filter", 0, "values", 1])).toBe("filter[0].values[1]");
    expect(userPath(["provider", "aws", "assume_role", 0, "role_arn"])).toBe("provider.assume_role[0].role_arn");
    expect(userPath(["import", 0, "id"])).toBe("import");
  });

  it("has nothing to say about the resource itself or the rest of the configuration", () => {
    expect(userPath(undefined)).toBeUndefined();
    expect(userPath([])).toBeUndefined();
    expect(userPath(["resource", "aws_s3_bucket", "r0"])).toBeUndefined();
    expect(userPath(["terraform", "required_providers"])).toBeUndefined();
  });
});

describe("formatDiagnostic", () => {
  const pathAtLine = [[], [], [], ["resource", "aws_s3_bucket", "r0", "bucket"]];

  it("names the attribute at the diagnostic's line of main.tf.json and indents the detail", () => {
    const text = formatDiagnostic(
      {
        severity: "error",
        summary: "Invalid bucket name",
        detail: "must be lowercase\nsee the docs\n",
        range: { filename: "main.tf.json", start: { line: 3, column: 5 } },
      },
      pathAtLine,
    );
    expect(text).toBe("Error: Invalid bucket name\n  at attribute: bucket\n  must be lowercase\n  see the docs");
  });

  it("ignores lines of other files and says Warning for warnings", () => {
    const warning = {
      severity: "warning" as const,
      summary: "Deprecated",
      range: { filename: "other.tf", start: { line: 3, column: 1 } },
    };
    expect(formatDiagnostic(warning, pathAtLine)).toBe("Warning: Deprecated");
    expect(formatDiagnostics([warning, { severity: "error", summary: "Boom" }], pathAtLine)).toBe(
      "Warning: Deprecated\nError: Boom",
    );
  });
});
