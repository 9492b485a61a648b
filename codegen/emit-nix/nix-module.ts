// Views → Nix: one NixOps4 resource type module per type (`description`, `requireState`, `inputs`,
// `outputs.options`), the meta-argument options all types share, and the provider module that wires the types to
// the bridge. The shared part (meta-arguments.nix: the provider block's type, `lifecycle`, `import`, `_member`) is
// evaluated once per provider module and reaches every type through NixOps4's `provider` module argument, so a
// type module declares only its own options and walking all types' options (NixOps4's provider docs) stays cheap.
// Only mkOption, mkDefault, mkIf and types.* of nixpkgs' lib are used, so any recent lib evaluates them.
import { fieldDescription, itemRange } from "../model/field-notes.js";
import { metaArgumentsOf, metaArgumentStructs, optionalAttribute } from "../../opentofu/wire/meta-arguments.js";
import type { Struct } from "../../opentofu/provider/model.js";
import { MEMBER_KEY, type ResourceMode } from "../../opentofu/wire/wire-contract.js";
import { inputView, type View, type ViewField, type ViewStruct, type VTy } from "../../opentofu/wire/views.js";
import { nixAttrName, nixString } from "./nix-syntax.js";

const PRELUDE = [
  "  inherit (lib) mkOption;",
  "  inherit (lib.types) nullOr listOf attrsOf str number bool anything addCheck;",
];

// lib.types.submodule, whose getSubOptions (used only by docs tools such as nixosOptionsDoc) lists the declared
// options with their locations instead of running evalModules for every nested block at every location: the
// same doc entries (less the internal `_module.*` ones), at a fraction of the cost. Checking and merging values is
// the submodule's own. No getSubModules: the module system would otherwise rebuild the type from its modules
// (mergeOptionDecls → substSubModules), dropping this getSubOptions; it only serves merging one option's
// declarations from several modules, and each of these options is declared once.
const STRUCT_HELPER = [
  "  struct = options: lib.types.submodule { inherit options; } // {",
  "    getSubOptions = prefix: builtins.mapAttrs (name: option: option // { loc = prefix ++ [ name ]; declarations = [ ]; }) options;",
  "    getSubModules = null;",
  "  };",
];

// Item counts of list and set blocks, checked on each definition as lib.types.addCheck does; the description
// names the bound, so the module system's "is not of type" error shows it beside the option path.
const ITEMS_HELPER =
  "  items = min: max: range: t: addCheck t (v: builtins.length v >= min && (max == null || builtins.length v <= max))" +
  ' // { description = "${t.description}, ${range}"; };';

class OptionWriter {
  /** Let bindings of the structs used in more than one place, already rendered. */
  readonly bindings: string[] = [];
  /** Whether some option's type used the `items` helper (ITEMS_HELPER). */
  usesItems = false;
  private bound = new Set<number>();

  /** `checkItems`: inputs, whose item counts are checked and whose notes say how to set them (the provider's state
   * is not held to counts, and outputs are only read). */
  constructor(
    private prefix: string,
    private checkItems = true,
  ) {}

  options(struct: ViewStruct, indent: string): string {
    const inner = indent + "  ";
    const lines = struct.fields.map((f) => `${inner}${nixAttrName(f.name)} = ${this.option(f, inner)};`);
    if (lines.length === 0) return "{ }";
    return `{\n${lines.join("\n")}\n${indent}}`;
  }

  option(field: ViewField, indent: string): string {
    let type = this.type(field.type, indent);
    const { nesting, minItems, maxItems } = field.field;
    const range = itemRange(field.field);
    const listed = field.type.kind === "list" || field.type.kind === "set";
    if (this.checkItems && (nesting === "list" || nesting === "set") && range && listed) {
      this.usesItems = true;
      type = `items ${minItems ?? 0} ${maxItems ?? "null"} ${nixString(range)} ${paren(type)}`;
    }
    if (field.nixNullable) type = `nullOr ${paren(type)}`;
    const parts = [`type = ${type};`];
    if (field.nixDefault) parts.push(`default = ${field.nixDefault};`);
    const description = fieldDescription(field.field, this.checkItems ? "inputs" : "outputs");
    if (description) parts.push(`description = ${nixString(description)};`);
    return `mkOption { ${parts.join(" ")} }`;
  }

  type(ty: VTy, indent: string): string {
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
        return `(addCheck (listOf anything) (v: builtins.length v == ${ty.elements.length}) // { description = "tuple of ${ty.elements.length} values"; })`;
      case "struct":
        return this.struct(ty.struct, indent);
    }
  }

  private struct(struct: ViewStruct, indent: string): string {
    if (struct.uses < 2) return `struct ${this.options(struct, indent)}`;
    const name = this.prefix + struct.name;
    if (!this.bound.has(struct.id)) {
      this.bound.add(struct.id);
      this.bindings.push(`  ${name} = struct ${this.options(struct, "  ")};`);
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
  const outputs = new OptionWriter("out_", false);
  const inputOptions = inputs.options(options.inputs.root, "  ");
  const outputOptions = outputs.options(options.outputs.root, "  ");
  return [
    options.header,
    // `provider` is the provider module's config (NixOps4 passes it to every resource type); `_meta` holds what
    // the types share (meta-arguments.nix).
    "{ lib, provider, ... }:",
    "let",
    ...PRELUDE,
    "  inherit (provider._meta) struct;",
    ...(inputs.usesItems || outputs.usesItems ? [ITEMS_HELPER] : []),
    ...inputs.bindings,
    ...outputs.bindings,
    "in",
    "{",
    // NixOps4 also defines `type` as the attribute name (data_<name>); a data source's wire type differs from it
    // ("data.<name>"), and two plain definitions would conflict in the module system.
    `  type = ${options.kind === "data" ? `lib.mkForce ${nixString(options.wireType)}` : nixString(options.wireType)};`,
    `  description = ${nixString(options.description)};`,
    `  requireState = ${options.kind === "managed" ? "true" : "false"};`,
    `  inputs = provider._meta.inputs ${nixString(options.kind)} ${inputOptions};`,
    `  outputs.options = ${outputOptions};`,
    "}",
    "",
  ].join("\n");
}

const PROVIDER_OPTION_NOTE =
  "Its options are those of the provider module's `configuration`, which sets them once for all resources of " +
  "the provider; what a resource sets here wins, option by option.";

const CONFIGURATION_DESCRIPTION =
  "Terraform's provider block for every resource of this provider (Terraform's `provider \"…\" { }`): each " +
  "resource's `inputs.provider` starts from it, and what a resource sets there wins, option by option. It may " +
  "refer to other resources' outputs. Leave credentials out (values written in Nix end up in the Nix store and in " +
  "NixOps4's state): the bridge and the provider read the provider's usual environment variables.";

/**
 * `{ lib, configuration }: { configuration = <option>; inputs = kind: ownOptions: <module>; }`: imported once by
 * the provider module; `inputs` makes a type's inputs module from its own options and the shared meta-arguments.
 */
export function nixMetaArguments(header: string, providerConfig: Struct): string {
  const bindings: string[] = [];
  const optionLines: string[] = [];
  const structs = metaArgumentStructs(providerConfig);
  for (const { name, struct, description } of structs) {
    const writer = new OptionWriter(`${name}_`);
    const view = inputView(struct, "provider");
    const typeName = `${name}Type`;
    const type = writer.type({ kind: "struct", struct: view.root }, "  ");
    if (writer.usesItems) bindings.push(ITEMS_HELPER);
    bindings.push(...writer.bindings, `  ${typeName} = ${type};`);
    const field = optionalAttribute(
      name,
      { kind: "struct", struct },
      name === "provider" ? `${description}\n\n${PROVIDER_OPTION_NOTE}` : description,
    );
    const option = `mkOption { type = nullOr ${typeName}; default = null;${name === "provider" ? ' visible = "shallow";' : ""} description = ${nixString(fieldDescription(field)!)}; }`;
    optionLines.push(`    ${nixAttrName(name)} = ${option};`);
  }
  // No default: a read-only option's default counts as a definition beside the one `inputs` below gives.
  optionLines.push(
    `    ${MEMBER_KEY} = mkOption { type = nullOr (listOf str); internal = true; visible = false; readOnly = true; ` +
      `description = ${nixString("The member path of this resource (NixOps4's absoluteMemberPath), for the bridge; set by the resource type.")}; };`,
  );
  const namesOf = (kind: ResourceMode) => [...metaArgumentsOf(kind), MEMBER_KEY].map((n) => nixAttrName(n)).join(" ");
  return [
    header,
    "# What every resource type of this provider shares, evaluated once: the provider module (default.nix) imports",
    "# this file and hands the result to its types through NixOps4's `provider` module argument.",
    "{ lib, configuration }:",
    "let",
    ...PRELUDE,
    ...STRUCT_HELPER,
    ...bindings,
    "  metaOptions = {",
    ...optionLines,
    "  };",
    "  optionsOf = {",
    `    managed = { inherit (metaOptions) ${namesOf("managed")}; };`,
    `    data = { inherit (metaOptions) ${namesOf("data")}; };`,
    "  };",
    '  # An inputs option\'s location is <root prefix> ++ [ "members" n1 … "members" nk "inputs" <name> ]; NixOps4\'s',
    "  # absoluteMemberPath of that member is [ n1 … nk ] (nix/lib/lib.nix of nixops4, makePathInjector). The inputs",
    "  # module cannot see the member's own config, so the path is read from the location.",
    "  memberPath = loc:",
    "    let",
    '      go = acc: i: if i >= 1 && builtins.elemAt loc (i - 1) == "members" then go ([ (builtins.elemAt loc i) ] ++ acc) (i - 2) else acc;',
    "      path = go [ ] (builtins.length loc - 3);",
    "    in",
    "    if path == [ ] then null else path;",
    "in",
    "{",
    `  configuration = mkOption { type = nullOr providerType; default = null; description = ${nixString(CONFIGURATION_DESCRIPTION)}; };`,
    "  inherit struct;",
    "  inputs = kind: own: { options, ... }: {",
    "    options = own // optionsOf.${kind};",
    "    config = {",
    "      # mkDefault on each setting, so that a resource's own `provider.<name>` wins over the provider-wide one.",
    "      provider = lib.mkIf (configuration != null) (",
    '        builtins.mapAttrs (_: lib.mkDefault) (builtins.removeAttrs configuration [ "_module" ])',
    "      );",
    `      ${MEMBER_KEY} = memberPath options.${MEMBER_KEY}.loc;`,
    "    };",
    "  };",
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
  for (const [name, path] of options.resourceTypes) types.push(`      ${nixAttrName(name)} = ./${path};`);
  return [
    options.header,
    "# A function of how to run the bridge, returning a NixOps4 provider module:",
    '#   providers.aws = import ./this-dir { bridge = "${pkgs.nixops4-resources-opentofu}/bin/nixops4-resources-opentofu"; };',
    '{ bridge ? "nixops4-resources-opentofu", engine ? null, pluginDir ? null, extraArgs ? [ ] }:',
    "{ lib, config, ... }:",
    "let",
    "  meta = import ./meta-arguments.nix { inherit lib; inherit (config) configuration; };",
    "in",
    "{",
    "  options.configuration = meta.configuration;",
    "  options._meta = lib.mkOption {",
    "    type = lib.types.raw;",
    "    internal = true;",
    "    visible = false;",
    "    readOnly = true;",
    `    description = ${nixString("What the resource types of this provider share (meta-arguments.nix), evaluated once.")};`,
    "  };",
    "  config = {",
    "    _meta = meta;",
    `    name = ${nixString(options.name)};`,
    `    description = ${nixString(options.description)};`,
    `    sourceBaseUrl = ${nixString(options.sourceBaseUrl)};`,
    `    sourceName = ${nixString(options.sourceName)};`,
    "    executable = lib.mkDefault bridge;",
    "    args = lib.mkDefault (",
    `      [ "--provider" ${nixString(options.providerArg)} ]`,
    '      ++ (if engine == null then [ ] else [ "--engine" (toString engine) ])',
    '      ++ (if pluginDir == null then [ ] else [ "--plugin-dir" (toString pluginDir) ])',
    "      ++ extraArgs",
    "    );",
    "    resourceTypes = {",
    ...types,
    "    };",
    "  };",
    "}",
    "",
  ].join("\n");
}
