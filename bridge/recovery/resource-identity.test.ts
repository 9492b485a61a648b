import { describe, expect, it } from "vitest";
import { lineageFor, lineageIdentity, memberIdentity, MemberInputError, takeMember } from "./resource-identity.js";

describe("takeMember", () => {
  it("splits a member path off the inputs", () => {
    expect(takeMember("aws_s3_bucket", { bucket: "b", _member: ["members", "bucket"] })).toEqual({
      member: ["members", "bucket"],
      inputs: { bucket: "b" },
    });
  });
  it("treats null and absence as no member", () => {
    expect(takeMember("aws_s3_bucket", { bucket: "b", _member: null })).toEqual({ inputs: { bucket: "b" } });
    expect(takeMember("aws_s3_bucket", { bucket: "b" })).toEqual({ inputs: { bucket: "b" } });
  });
  it("rejects anything but a list of strings, naming the type and the input", () => {
    expect(() => takeMember("aws_s3_bucket", { _member: "members.bucket" })).toThrow(MemberInputError);
    expect(() => takeMember("aws_s3_bucket", { _member: ["members", 1] })).toThrow(
      /aws_s3_bucket: inputs._member must be a list of strings/,
    );
  });
});

describe("identities", () => {
  it("differ for different members of equal inputs, and are stable for one member", () => {
    const a = memberIdentity("registry.terraform.io/hashicorp/aws", "aws_s3_bucket", ["members", "a"]);
    const b = memberIdentity("registry.terraform.io/hashicorp/aws", "aws_s3_bucket", ["members", "b"]);
    expect(a.id).not.toBe(b.id);
    expect(memberIdentity("registry.terraform.io/hashicorp/aws", "aws_s3_bucket", ["members", "a"]).id).toBe(a.id);
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a.describe).toBe("members.a");
  });
  it("keep a member path apart from one that joins to the same text", () => {
    const joined = memberIdentity("p", "t", ["members", "a.b"]);
    const nested = memberIdentity("p", "t", ["members", "a", "b"]);
    expect(joined.id).not.toBe(nested.id);
  });
  it("fall back to the lineage, which a create derives from its inputs", () => {
    const lineage = lineageFor("p", "aws_s3_bucket", { bucket: "b" });
    expect(lineageFor("p", "aws_s3_bucket", { bucket: "b" })).toBe(lineage);
    expect(lineageIdentity(lineage).id).toBe(lineage);
  });
});
