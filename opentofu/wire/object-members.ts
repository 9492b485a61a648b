// Terraform's own acceptance of the members of a cty object type (an attribute typed `object({…})`, or a list, set
// or map of them, as SDKv2's "attributes as blocks" are: `aws_security_group.ingress`, `aws_route_table.route`).
// The schema marks none of their members optional, yet Terraform converts `null` into any member type, so every
// member accepts null. Leaving a member out is another matter: Terraform's JSON syntax (what the bridge writes)
// refuses it ("attributes … are required"), while its native syntax lets a list or set of objects be written as
// blocks, whose members may all be left out — which is how Terraform users write `ingress { from_port = 80 … }`.
// So: a member may be absent where the type marks it optional or where the object is an element of a list or set
// attribute; elsewhere it must be present, possibly null. The bridge fills in `null` for every member left out
// (bridge/workspace/terraform-arguments.ts), so that Terraform always sees the whole object.
import type { Field, Ty } from "../provider/model.js";

/** How the inputs (Nix, JSON Schema, TypeScript, the bridge's validation) accept one member of a cty object. */
export interface MemberAcceptance {
  /** The key may be left out (JSON Schema: not `required`; TypeScript: `?`). */
  mayBeAbsent: boolean;
  /** Always true: Terraform converts null into any member type. Nix: `nullOr T` with `default = null`. */
  mayBeNull: true;
}

/**
 * `elementOfBlockList`: the object is an element of a list or set attribute (Terraform lets such a list be written
 * as blocks, with members left out).
 */
export function memberAcceptance(member: Field, elementOfBlockList: boolean): MemberAcceptance {
  return { mayBeAbsent: member.optional || elementOfBlockList, mayBeNull: true };
}

/** Whether `field` is a list or set attribute of cty objects, which Terraform's native syntax takes as blocks. */
export function takesBlockSyntax(field: Field): boolean {
  if (field.origin !== "attribute" || field.nesting !== undefined) return false;
  return isListOfObjects(field.type);
}

function isListOfObjects(ty: Ty): boolean {
  return (ty.kind === "list" || ty.kind === "set") && ty.element.kind === "struct";
}
