// Which NixOps4 resource an operation is about, so that records and locks of two resources never mix, even when
// their inputs are equal. NixOps4 knows every resource member's path (`config.absoluteMemberPath`); the generated
// Nix modules send it as the reserved input `_member`. A plain JSON caller that sends none is told apart by its
// inputs (create) or by the lineage its persisted state carries (update, destroy), as before `_member` existed.
import { canonicalHash } from "../json/canonical-json.js";
import type { JsonObject } from "../protocol/messages.js";

/** The reserved input that carries the member path; stripped before validation, never passed to Terraform. */
export const MEMBER_KEY = "_member";

export class MemberInputError extends Error {}

export interface ResourceIdentity {
  /** The record and lock name: UUID-shaped, stable for the same resource. */
  id: string;
  /** The member path, when the caller sent one. */
  member?: string[];
  /** For messages: `members.bucket`, or what the fallback keys on. */
  describe: string;
}

/** A UUID-shaped rendering of a hash. */
export function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The lineage a create derives from its inputs when the caller names no member (the pre-`_member` identity). */
export function lineageFor(providerAddress: string, type: string, args: unknown): string {
  return uuidOf(canonicalHash([providerAddress, type, args]));
}

/** Splits `_member` off the inputs: a list of strings, or null/absent. */
export function takeMember(wireType: string, inputs: JsonObject): { member?: string[]; inputs: JsonObject } {
  if (!(MEMBER_KEY in inputs)) return { inputs };
  const { [MEMBER_KEY]: member, ...rest } = inputs;
  if (member === null || member === undefined) return { inputs: rest };
  if (!Array.isArray(member) || member.some((part) => typeof part !== "string")) {
    throw new MemberInputError(
      `${wireType}: inputs.${MEMBER_KEY} must be a list of strings (the NixOps4 member path, e.g. ["members", "bucket"]) ` +
        `or null, got ${JSON.stringify(member)}`,
    );
  }
  return { member: member as string[], inputs: rest };
}

export function memberIdentity(providerAddress: string, type: string, member: string[]): ResourceIdentity {
  return { id: uuidOf(canonicalHash(["member", providerAddress, type, member])), member, describe: member.join(".") };
}

/** Without `_member`: the lineage the resource's state carries (or a create derives from its inputs). */
export function lineageIdentity(lineage: string): ResourceIdentity {
  return { id: lineage, describe: `lineage ${lineage}` };
}
