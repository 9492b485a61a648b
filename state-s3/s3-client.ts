// The S3 client for one state location, and what an S3 failure means in words. Credentials come from the SDK's
// default chain (environment, shared config and credentials files with AWS_PROFILE, SSO, web identity, container
// and instance metadata), never from the resource's inputs.
import { S3Client } from "@aws-sdk/client-s3";
import { locationUrl, type StateLocation } from "./state-inputs.js";

export function s3ClientFor(location: StateLocation): S3Client {
  // The package runs on Node 20 (nix/package.nix); the SDK's notice that later SDK releases need Node 22 is for the
  // people who update dependencies, not for everyone who runs an apply, and would be on stderr of every session.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new S3Client({
    endpoint: location.endpoint,
    region:
      location.region ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION ??
      (location.endpoint ? "us-east-1" : undefined),
    forcePathStyle: location.forcePathStyle,
    followRegionRedirects: true,
    // The SDK's retries are for transient faults; a precondition failure is never retried (it is the answer).
    maxAttempts: 3,
    // A store that stops answering must end the apply with an error, not hang it: S3 answers in well under these.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

export function statusOf(error: unknown): number | undefined {
  return (error as SdkError)?.$metadata?.httpStatusCode;
}

/** The conditional write lost: the object is not (or no longer) the version the request was conditional on. */
export function isPreconditionFailed(error: unknown): boolean {
  const e = error as SdkError;
  // 409 ConditionalRequestConflict: AWS's answer when a concurrent conditional write to the same key is in flight.
  return e?.name === "PreconditionFailed" || e?.name === "ConditionalRequestConflict" || statusOf(error) === 412;
}

export function isNotFound(error: unknown): boolean {
  const e = error as SdkError;
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || statusOf(error) === 404;
}

/** One sentence naming the bucket and the cause, for errors the user sees. */
export function describeS3Error(error: unknown, location: StateLocation, doing: string): string {
  const e = error as SdkError;
  const name = e?.name ?? "";
  const where = locationUrl(location);
  const status = statusOf(error);
  let cause: string;
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(e?.message ?? "")) {
    cause =
      "no AWS credentials were found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials; " +
      "the state resource never takes credentials from its Nix inputs)";
  } else if (name === "NoSuchBucket" || (status === 404 && /bucket/i.test(doing))) {
    cause = `the bucket "${location.bucket}" does not exist (create it first; this provider never creates buckets)`;
  } else if (name === "AccessDenied" || name === "Forbidden" || status === 403) {
    cause = `access denied to bucket "${location.bucket}" (the credentials need s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on it)`;
  } else if (name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch") {
    cause = `the AWS credentials were rejected (${name})`;
  } else if (/Region is missing/i.test(e?.message ?? "")) {
    cause = `no region is set (set input "region", or AWS_REGION)`;
  } else if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|socket hang up/i.test(`${e?.code ?? ""} ${e?.message ?? ""}`)
  ) {
    cause = `the S3 endpoint cannot be reached (${(e?.message ?? name).split("\n")[0]})`;
  } else {
    cause = `${name || "error"}${status ? ` (HTTP ${status})` : ""}: ${(e?.message ?? String(error)).split("\n")[0]}`;
  }
  return `${doing} ${where} failed: ${cause}`;
}
