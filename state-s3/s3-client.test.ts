import { describe, expect, it } from "vitest";
import { describeS3Error, isNotFound, isPreconditionFailed } from "./s3-client.js";
import type { StateLocation } from "./state-inputs.js";

const location: StateLocation = { bucket: "ops", key: "deploy/state.json", forcePathStyle: false };
const sdkError = (name: string, status?: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe("S3 error classes", () => {
  it("counts a lost conditional write and a concurrent one as precondition failures, by name or status", () => {
    expect(isPreconditionFailed(sdkError("PreconditionFailed"))).toBe(true);
    expect(isPreconditionFailed(sdkError("ConditionalRequestConflict", 409))).toBe(true);
    expect(isPreconditionFailed(sdkError("Unknown", 412))).toBe(true);
    expect(isPreconditionFailed(sdkError("AccessDenied", 403))).toBe(false);
    expect(isNotFound(sdkError("NoSuchKey"))).toBe(true);
    expect(isNotFound(sdkError("Unknown", 404))).toBe(true);
    expect(isNotFound(sdkError("NoSuchBucket", 400))).toBe(false);
  });
});

describe("describeS3Error", () => {
  const say = (error: unknown, doing = "reading the state at") => describeS3Error(error, location, doing);

  it("names the place and the cause the user can act on", () => {
    expect(say(sdkError("NoSuchBucket", 404))).toBe(
      'reading the state at s3://ops/deploy/state.json failed: the bucket "ops" does not exist (create it first; this provider never creates buckets)',
    );
    expect(say(sdkError("AccessDenied", 403))).toMatch(
      /access denied to bucket "ops" \(the credentials need s3:GetObject/,
    );
    expect(say(sdkError("CredentialsProviderError"))).toMatch(
      /no AWS credentials were found .* never takes credentials/,
    );
    expect(say(sdkError("SignatureDoesNotMatch"))).toMatch(
      /the AWS credentials were rejected \(SignatureDoesNotMatch\)/,
    );
    expect(say(sdkError("InvalidAccessKeyId", 400))).toMatch(
      /the AWS credentials were rejected \(InvalidAccessKeyId\)/,
    );
    expect(say(new Error("Region is missing"))).toMatch(/no region is set \(set input "region", or AWS_REGION\)/);
    expect(say(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9\nstack"), { code: "ECONNREFUSED" }))).toMatch(
      /the S3 endpoint cannot be reached \(connect ECONNREFUSED 127.0.0.1:9\)$/,
    );
  });

  it("otherwise gives the error's name, status and first line, and the endpoint when there is one", () => {
    expect(
      describeS3Error(
        sdkError("SlowDown", 503, "Please reduce\nyour rate"),
        { ...location, endpoint: "http://s3.local" },
        "writing",
      ),
    ).toBe("writing s3://ops/deploy/state.json at http://s3.local failed: SlowDown (HTTP 503): Please reduce");
  });
});
