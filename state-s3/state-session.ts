// One state-provider process: NixOps4 keeps it open for a whole apply, reads once, sends events, then closes stdin.
// The session holds the lock from its first read that comes with outputProperties (an apply) until close, and
// keeps the version it last read or wrote, which every write is conditional on.
import { DeleteObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { ExtantResource, JsonObject } from "../bridge/protocol/messages.js";
import { describeS3Error, s3ClientFor } from "./s3-client.js";
import { emptyState } from "./state-document.js";
import { locationUrl, parseStateInputs, RESOURCE_TYPE, type StateLocation } from "./state-inputs.js";
import { historyPrefix, lockKey } from "./state-layout.js";
import { acquireLock, currentUser, releaseLock, type HeldLock } from "./state-lock.js";
import { readCurrent, type Version } from "./state-read.js";
import type { StateResourceEvent } from "./state-requests.js";
import { commitEvent, LostUpdateError } from "./state-write.js";

export const PROGRAM = "nixops4-state-s3";

function checkType(type: string): void {
  if (type !== RESOURCE_TYPE)
    throw new Error(`${PROGRAM} serves the resource type "${RESOURCE_TYPE}" only, not "${type}"`);
}

export function locationOutputs(location: StateLocation): JsonObject {
  return {
    bucket: location.bucket,
    key: location.key,
    endpoint: location.endpoint ?? null,
    region: location.region ?? null,
    force_path_style: location.forcePathStyle,
    url: `s3://${location.bucket}/${location.key}`,
    lock_key: lockKey(location),
    history_prefix: historyPrefix(location),
  };
}

export class StateSession {
  private location: StateLocation | undefined;
  private s3: S3Client | undefined;
  private lock: HeldLock | undefined;
  private version: Version | undefined;
  private lost: string | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** Stateless on every apply: proves the bucket can be reached and written, and says where the state lives. */
  async create(type: string, inputs: JsonObject): Promise<JsonObject> {
    checkType(type);
    const location = parseStateInputs(inputs);
    const s3 = s3ClientFor(location);
    try {
      try {
        await s3.send(new HeadBucketCommand({ Bucket: location.bucket }));
      } catch (error) {
        throw new Error(describeS3Error(error, location, "checking the bucket of"), { cause: error });
      }
      // A write and a delete of a probe object beside the state: what the session will need, tried now.
      const probe = `${location.key}.probe-${randomUUID()}`;
      try {
        await s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: probe, Body: "probe\n", IfNoneMatch: "*" }));
        await s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: probe }));
      } catch (error) {
        throw new Error(describeS3Error(error, location, "writing a test object beside"), { cause: error });
      }
      return locationOutputs(location);
    } finally {
      s3.destroy();
    }
  }

  private open(resource: ExtantResource): { location: StateLocation; s3: S3Client } {
    checkType(resource.type);
    const location = parseStateInputs(resource.inputProperties);
    if (this.location && JSON.stringify(location) !== JSON.stringify(this.location)) {
      throw new Error(
        `this session serves ${locationUrl(this.location)}; a request for ${locationUrl(location)} needs its own process`,
      );
    }
    this.location = location;
    this.s3 ??= s3ClientFor(location);
    return { location, s3: this.s3 };
  }

  async read(resource: ExtantResource): Promise<JsonObject> {
    const { location, s3 } = this.open(resource);
    // Without outputProperties NixOps4 only looks (`nixops4 state dump`): no lock, so it works during an apply.
    const applying = resource.outputProperties !== undefined;
    if (applying && !this.lock) this.lock = await acquireLock(s3, location, PROGRAM, this.log);
    if (!applying && !this.lock) return (await readCurrent(s3, location, this.log))?.snapshot.state ?? emptyState();
    if (this.version === undefined && !this.lost) this.version = await readCurrent(s3, location, this.log);
    return this.version?.snapshot.state ?? emptyState();
  }

  async event(body: StateResourceEvent): Promise<void> {
    const { location, s3 } = this.open(body.resource);
    if (this.lost) throw new LostUpdateError(this.lost);
    if (!this.lock) {
      this.lock = await acquireLock(s3, location, PROGRAM, this.log);
      this.version = await readCurrent(s3, location, this.log);
    }
    const meta = {
      time: new Date().toISOString(),
      event: body.event,
      nixopsVersion: body.nixopsVersion,
      user: currentUser(),
      host: hostname(),
      lock: this.lock.record.id,
    };
    try {
      this.version = await commitEvent(s3, location, this.version, body.patch, meta, this.log);
    } catch (error) {
      // Every later event of this session is based on a version that is not current any more: refuse them all.
      if (error instanceof LostUpdateError) this.lost = error.message;
      throw error;
    }
  }

  async close(): Promise<void> {
    const { location, s3, lock } = this;
    this.lock = undefined;
    if (location && s3 && lock) await releaseLock(s3, location, lock, this.log);
    s3?.destroy();
  }
}
