// A usage example as NixOps4 users write it: a deployment module whose members use the provider's resource types
// (`providers.<provider>.<type>`), keep state in `members.state` (managed resources), and take other members'
// outputs as `members.<name>.outputs.<attribute>`.
import { nixAttrName } from "../emit-nix/nix-syntax.js";
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";
import { nix, printNix, type NixExpr } from "./nix-expr.js";

export interface ExampleMember {
  name: string;
  kind: ResourceMode;
  type: string;
  inputs: NixExpr;
}

export interface UsageExample {
  title?: string;
  /** Where it comes from: the provider's docs (converted from HCL) or the schema (minimal inputs). */
  origin: "docs" | "schema";
  /** The example as a Nix file: a NixOps4 module function. */
  nix: string;
}

/** `providerName`: the attribute of `providers` the example assumes the provider module is set as (`aws`). */
export function exampleModule(providerName: string, members: ExampleMember[]): string {
  const entries: string[] = [];
  for (const member of members) {
    const nixName = member.kind === "data" ? `data_${member.type}` : member.type;
    const fields: [string, NixExpr][] = [
      ["type", nix.ref(`providers.${nixAttrName(providerName)}.${nixAttrName(nixName)}`)],
    ];
    if (member.kind === "managed") fields.push(["state", nix.ref("members.state")]);
    fields.push(["inputs", member.inputs]);
    entries.push(`  members.${nixAttrName(member.name)} = ${printNix(nix.attrs(fields), "  ")};\n`);
  }
  return `{ providers, members, ... }:\n{\n${entries.join("\n")}}\n`;
}
