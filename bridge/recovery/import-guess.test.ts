import { describe, expect, it } from "vitest";
import { guessImportId, reportsExistingObject } from "./import-guess.js";

describe("guessImportId", () => {
  it("uses the name for most types", () => {
    expect(guessImportId({ bucket: "b" }, "aws_s3_bucket")).toBe("b");
    expect(guessImportId({ name: "u", path: "/" }, "aws_iam_user")).toBe("u");
    expect(guessImportId({ role_name: "r" })).toBe("r");
    expect(guessImportId({ description: "none" })).toBeUndefined();
  });

  it("builds the composite ID of inline IAM policies, the format their import reads", () => {
    expect(guessImportId({ user: "alice", name: "home", policy: "{}" }, "aws_iam_user_policy")).toBe("alice:home");
    expect(guessImportId({ role: "ops", name: "p" }, "aws_iam_role_policy")).toBe("ops:p");
    expect(guessImportId({ group: "g", name: "p" }, "aws_iam_group_policy")).toBe("g:p");
  });

  it("guesses nothing for a composite type whose parts are not all known, rather than the bare name", () => {
    expect(guessImportId({ name: "p", policy: "{}" }, "aws_iam_user_policy")).toBeUndefined();
  });
});

describe("reportsExistingObject", () => {
  it("tells a taken name from other conflicts", () => {
    expect(reportsExistingObject("EntityAlreadyExists: User with name x already exists.")).toBe(true);
    expect(reportsExistingObject("ConflictException: operation in progress")).toBe(false);
  });
});
