// Views → Markdown reference pages: one per type (inputs, outputs, nested structures, registry link) plus an
// index page and a page for the meta-arguments (provider configuration, lifecycle, import).
import { fieldNotes, presenceOf } from "../model/field-notes.js";
import { metaArgumentsOf, metaArgumentStructs } from "../../opentofu/wire/meta-arguments.js";
import type { Struct } from "../../opentofu/provider/model.js";
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";
import { inputView, type View, type ViewField, type ViewStruct, type VTy } from "../../opentofu/wire/views.js";
import type { UsageExample } from "../examples/example-module.js";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

class TableWriter {
  constructor(
    private anchorPrefix: string,
    private linkBase = "",
  ) {}

  anchor(struct: ViewStruct): string {
    return `${this.anchorPrefix}-${struct.name}`;
  }

  type(ty: VTy): string {
    switch (ty.kind) {
      case "list":
      case "set":
      case "map":
        return `${ty.kind}(${this.type(ty.element)})`;
      case "tuple":
        return `tuple([${ty.elements.map((e) => this.type(e)).join(", ")}])`;
      case "struct":
        return `[${ty.struct.name || "object"}](${this.linkBase}#${this.anchor(ty.struct)})`;
      default:
        return ty.kind;
    }
  }

  /** `settable`: for outputs, the names of the inputs beside them (the legacy `id` is computed only). */
  table(
    fields: ViewField[],
    direction: View["direction"],
    extraRows: string[] = [],
    settable?: ReadonlySet<string>,
  ): string {
    if (fields.length === 0 && extraRows.length === 0) return "_None._\n";
    const rows = fields.map((f) => {
      const notes = direction === "inputs" ? inputNotes(f) : outputNotes(f, settable ? settable.has(f.name) : true);
      return `| \`${f.name}\` | ${this.type(f.type)} | ${cell(notes.filter(Boolean).join(", "))} | ${cell(f.field.description ?? "")} |`;
    });
    return ["| Name | Type | Notes | Description |", "|---|---|---|---|", ...rows, ...extraRows, ""].join("\n");
  }

  sections(view: View, heading: string): string {
    let out = "";
    for (const struct of view.structs) {
      out += `\n<a id="${this.anchor(struct)}"></a>\n${heading} \`${struct.name}\`\n\n`;
      if (struct.usedAs.length > 1) out += `The type of ${struct.usedAs.map((n) => `\`${n}\``).join(", ")}.\n\n`;
      if (struct.source.description) out += `${struct.source.description}\n\n`;
      if (struct.source.deprecated) out += "**Deprecated.**\n\n";
      out += this.table(struct.fields, view.direction);
    }
    return out;
  }
}

function inputNotes(f: ViewField): string[] {
  return [presenceOf(f.field), ...fieldNotes(f.field).filter((n) => !n.startsWith("computed by"))];
}

/** What a reader of an output needs: where its value comes from, and flags of the value itself. */
function outputNotes(f: ViewField, settable: boolean): string[] {
  const { computed, required, optional, sensitive, deprecated } = f.field;
  const origin =
    computed && (!settable || (!required && !optional)) ? "computed" : computed ? "as set, else computed" : "";
  return [origin, sensitive ? "sensitive" : "", deprecated ? "deprecated" : ""];
}

export interface MarkdownTypeOptions {
  kind: ResourceMode;
  type: string;
  wireType: string;
  /** Attribute name under `resourceTypes` of the provider module. */
  nixName: string;
  providerLabel: string;
  registryUrl?: string;
  description?: string;
  deprecated: boolean;
  inputs: View;
  outputs: View;
  /** Attribute of `providers` the examples assume (`aws`). */
  providerName: string;
  examples: UsageExample[];
  /** Why the docs' examples left out could not be converted. */
  skippedExamples: string[];
}

function exampleSection(options: MarkdownTypeOptions): string[] {
  const p = options.providerName;
  const out = [
    "## Example Usage",
    "",
    `A NixOps4 deployment module, with \`providers.${p}\` set to this provider's module` +
      (options.kind === "managed" ? " and `members.state` to a state member" : "") +
      ` (see the [provider's README](../README.md)); \`members.<name>.outputs.<attribute>\` refers to another member's output.`,
    "",
  ];
  for (const example of options.examples) {
    if (example.title) out.push(`### ${example.title}`, "");
    if (example.origin === "schema") {
      out.push(
        "The smallest valid inputs: every required argument and block, with placeholder values." +
          (options.skippedExamples.length > 0
            ? ` (The provider's examples could not be converted: ${options.skippedExamples.join("; ")}.)`
            : ""),
        "",
      );
    }
    out.push("```nix", example.nix.trimEnd(), "```", "");
  }
  return out;
}

export function markdownTypePage(options: MarkdownTypeOptions): string {
  const kindLabel = options.kind === "data" ? "data source" : "resource";
  const inputs = new TableWriter("input");
  const outputs = new TableWriter("output");
  const metaRows = metaArgumentsOf(options.kind).map(
    (m) => `| \`${m}\` | [${m}](../meta-arguments.md#${m}) | optional, meta-argument |  |`,
  );
  return [
    `# ${options.type} (${kindLabel})`,
    "",
    `Provider: ${options.providerLabel}` +
      (options.registryUrl ? ` · [registry documentation](${options.registryUrl})` : ""),
    "",
    `NixOps4 resource type: \`resourceTypes.${options.nixName}\` · wire type: \`${options.wireType}\` · ` +
      `requires state: ${options.kind === "managed" ? "yes" : "no (re-read on every apply)"}`,
    "",
    ...(options.deprecated ? ["**Deprecated.**", ""] : []),
    ...(options.description ? [options.description, ""] : []),
    ...exampleSection(options),
    "## Inputs",
    "",
    inputs.table(options.inputs.root.fields, "inputs", metaRows),
    "## Outputs",
    "",
    "Every attribute of the resulting state, as `members.<name>.outputs.<attribute>`" +
      (options.inputs.root.fields.some((f) => f.field.writeOnly) ? " (write-only arguments are never in state)." : "."),
    "",
    outputs.table(options.outputs.root.fields, "outputs", [], new Set(options.inputs.root.fields.map((f) => f.name))),
    ...(options.inputs.structs.length > 0
      ? ["## Nested input structures", inputs.sections(options.inputs, "###")]
      : []),
    ...(options.outputs.structs.length > 0
      ? ["## Nested output structures", outputs.sections(options.outputs, "###")]
      : []),
  ].join("\n");
}

export function markdownMetaArguments(providerLabel: string, providerConfig: Struct): string {
  let out = `# Meta-arguments (${providerLabel})\n\nReserved inputs of every type, beside its own arguments.\n`;
  for (const { name, struct, description } of metaArgumentStructs(providerConfig)) {
    const intro = `${description} ${name === "provider" ? "All types." : "Managed resources only."}`;
    const view = inputView(struct, "provider");
    const writer = new TableWriter(name);
    out += `\n<a id="${name}"></a>\n## \`${name}\`\n\n${intro}\n\n${writer.table(view.root.fields, "inputs")}`;
    out += writer.sections(view, "###");
  }
  return out;
}

export function markdownIndex(
  providerLabel: string,
  resources: Iterable<[string, string]>,
  dataSources: Iterable<[string, string]>,
): string {
  const list = (entries: Iterable<[string, string]>) => [...entries].map(([t, p]) => `- [${t}](${p})`).join("\n");
  return [
    `# ${providerLabel}`,
    "",
    "Generated by `nixops4-opentofu codegen`. Every type has a Nix module, a JSON Schema of its inputs, ",
    "TypeScript types and this reference; `index.json` lists them all.",
    "",
    "- [Meta-arguments: provider configuration, lifecycle, import](meta-arguments.md)",
    "",
    "## Resources",
    "",
    list(resources),
    "",
    "## Data sources",
    "",
    list(dataSources),
    "",
  ].join("\n");
}
