// Views → Nix: one NixOps4 resource type module per type (`description`, `requireState`, `inputs.options`,
// `outputs.options`), the shared meta-argument options, and the provider module that wires the types to the
// bridge. Only `mkOption`, `mkDefault` and `types.*` of nixpkgs' lib are used, so any recent lib evaluates them.
import { fieldDescription } from "../model/field-notes.js";
import { metaArgumentsOf, metaArgumentStructs, optionalAttribute } from "../../opentofu/wire/meta-arguments.js";
import type { Struct } from "../../opentofu/provider/model.js";
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";
import { inputView, type View, type ViewField, type ViewStruct, type VTy } from "../../opentofu/wire/views.js";
import { nixAttrName, nixString } from "./nix-syntax.js";

const PRELUDE = [
  "  inherit (lib) mkOption;",
  "  inherit (lib.types) nullOr listOf attrsOf submodule str number bool anything addCheck;",
];

class OptionWriter {
  /** Let bindings of the structs used in more than one place, already rendered. */
  readonly bindings: string[] = [];
  private bound = new Set<number>();

  constructor(private prefix: string) {}

  /** `extra` are further lines at the inner indentation (the meta-argument options of a type's inputs). */
  options(struct: ViewStruct, indent: string, extra: string[] = []): string {
    const inner = indent + "  ";
    const lines = struct.fields.map((f) => `${inner}${nixAttrName(f.name)} = ${this.option(f, inner)};`);
    lines.push(...extra.map((line) => inner + line));
    if (lines.length === 0) return "{ }";
    return `{\n${lines.join("\n")}\n${indent}}`;
  }

  option(field: ViewField, indent: string): string {
    let type = this.type(field.type, indent);
    if (field.nixNullable) type = `nullOr ${paren(type)}`;
    const parts = [`type = ${type};`];
    if (field.nixDefault) parts.push(`default = ${field.nixDefault};`);
    const description = fieldDescription(field.field);
    if (description) parts.push(`description = ${nixString(description)};`);
    return `mkOption { ${parts.join(" ")} }`;
  }

  private type(ty: VTy, indent: string): string {
    switch (ty.kind) {
      case "string":
        return "str";
      case "number":
        return "number";
      case "bool":
        return "bool";
      case "dynamic":
        return "anything";
      case "list":
      case "set":
        return `listOf ${paren(this.type(ty.element, indent))}`;
      case "map":
        return `attrsOf ${paren(this.type(ty.element, indent))}`;
      case "tuple":
        // lib has no tuple type; the length is checked here, the element types by the JSON Schema.
        return `addCheck (listOf anything) (v: builtins.length v == ${ty.elements.length})`;
      case "struct":
        return this.struct(ty.struct, indent);
    }
  }

  private struct(struct: ViewStruct, indent: string): string {
    if (struct.uses < 2) return `submodule { options = ${this.options(struct, indent)}; }`;
    const name = this.prefix + struct.name;
    if (!this.bound.has(struct.id)) {
      this.bound.add(struct.id);
      this.bindings.push(`  ${name} = submodule { options = ${this.options(struct, "  ")}; };`);
    }
    return name;
  }
}

function paren(type: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(type) ? type : `(${type})`;
}

export interface NixTypeModuleOptions {
  header: string;
  kind: ResourceMode;
  /** The string the bridge receives as the request's `type`. */
  wireType: string;
  description: string;
  inputs: View;
  outputs: View;
}

export function nixTypeModule(options: NixTypeModuleOptions): string {
  const inputs = new OptionWriter("in_");
  const outputs = new OptionWriter("out_");
  const metaOptions = metaArgumentsOf(options.kind).map((m) => `${m} = meta.${m};`);
  const inputBlock = inputs.options(options.inputs.root, "  ", metaOptions);
  const outputOptions = outputs.options(options.outputs.root, "  ");
  return [
    options.header,
    "{ lib, ... }:",
    "let",
    ...PRELUDE,
    "  meta = import ../meta-arguments.nix { inherit lib; };",
    ...inputs.bindings,
    ...outputs.bindings,
    "in",
    "{",
    // NixOps4 also defines `type` as the attribute name (data_<name>); a data source's wire type differs from it
    // ("data.<name>"), and two plain definitions would conflict in the module system.
    `  type = ${options.kind === "data" ? `lib.mkForce ${nixString(options.wireType)}` : nixString(options.wireType)};`,
    `  description = ${nixString(options.description)};`,
    `  requireState = ${options.kind === "managed" ? "true" : "false"};`,
    `  inputs.options = ${inputBlock};`,
    `  outputs.options = ${outputOptions};`,
    "}",
    "",
  ].join("\n");
}

/** `{ lib }: { provider = mkOption …; lifecycle = …; import = …; }`, imported by every type module. */
export function nixMetaArguments(header: string, providerConfig: Struct): string {
  const lines: string[] = [];
  const bindings: string[] = [];
  for (const { name, struct, description } of metaArgumentStructs(providerConfig)) {
    const writer = new OptionWriter(`${name}_`);
    const view = inputView(struct, "provider");
    const viewField: ViewField = {
      name,
      type: { kind: "struct", struct: view.root },
      required: false,
      nixNullable: true,
      nixDefault: "null",
      field: optionalAttribute(name, { kind: "struct", struct }, description),
    };
    lines.push(`  ${nixAttrName(name)} = ${writer.option(viewField, "  ")};`);
    bindings.push(...writer.bindings);
  }
  return [
    header,
    "{ lib }:",
    "let",
    ...PRELUDE,
    ...bindings,
    "in",
    "{",
    ...lines,
    "}",
    "",
  ].join("\n");
}

export interface NixProviderModuleOptions {
  header: string;
  /** SOURCE@VERSION as the bridge's --provider argument. */
  providerArg: string;
  name: string;
  description: string;
  sourceBaseUrl: string;
  sourceName: string;
  /** Attribute name in `resourceTypes` → path of the type module relative to the provider module. */
  resourceTypes: Iterable<[string, string]>;
}

export function nixProviderModule(options: NixProviderModuleOptions): string {
  const types: string[] = [];
  for (const [name, path] of options.resourceTypes) types.push(`    ${nixAttrName(name)} = ./${path};`);
  return [
    options.header,
    "# A function of how to run the bridge, returning a NixOps4 provider module:",
    "#   providers.aws = import ./this-dir { bridge = \"${pkgs.nixops4-resources-opentofu}/bin/nixops4-resources-opentofu\"; };",
    '{ bridge ? "nixops4-resources-opentofu", engine ? null, pluginDir ? null, extraArgs ? [ ] }:',
    "{ lib, ... }:",
    "{",
    `  name = ${nixString(options.name)};`,
    `  description = ${nixString(options.description)};`,
    `  sourceBaseUrl = ${nixString(options.sourceBaseUrl)};`,
    `  sourceName = ${nixString(options.sourceName)};`,
    "  executable = lib.mkDefault bridge;",
    "  args = lib.mkDefault (",
    `    [ "--provider" ${nixString(options.providerArg)} ]`,
    '    ++ (if engine == null then [ ] else [ "--engine" (toString engine) ])',
    '    ++ (if pluginDir == null then [ ] else [ "--plugin-dir" (toString pluginDir) ])',
    "    ++ extraArgs",
    "  );",
    "  resourceTypes = {",
    ...types,
    "  };",
    "}",
    "",
  ].join("\n");
}
