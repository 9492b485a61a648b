// Views → TypeScript declarations, emitted directly (one named interface per distinct struct) rather than via
// a JSON Schema converter, which runs out of memory on the largest AWS resources.
import { fieldDescription } from "../model/field-notes.js";
import { metaArgumentsOf, metaArgumentStructs } from "../../opentofu/wire/meta-arguments.js";
import type { Struct } from "../../opentofu/provider/model.js";
import { MEMBER_KEY, type ResourceMode } from "../../opentofu/wire/wire-contract.js";
import { inputView, type View, type ViewField, type ViewStruct, type VTy } from "../../opentofu/wire/views.js";

const META_TYPES: Record<string, string> = { provider: "ProviderConfig", lifecycle: "Lifecycle", import: "Import" };

export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return /^[0-9]/.test(joined) ? `T${joined}` : joined || "T";
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

function docComment(text: string | undefined, indent: string, deprecated = false): string {
  if (!text && !deprecated) return "";
  const lines = text ? text.replace(/\*\//g, "*\\/").split("\n") : [];
  if (deprecated) lines.push("@deprecated");
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? " " + l : ""}`).join("\n")}\n${indent} */\n`;
}

class InterfaceWriter {
  private names = new Map<number, string>();
  private pending: ViewStruct[] = [];
  private readonly: string;

  constructor(
    private view: View,
    private suffix: string,
    private taken: Set<string>,
  ) {
    this.readonly = view.direction === "outputs" ? "readonly " : "";
  }

  /** All interfaces of the view; the root one is called `rootName`. */
  write(rootName: string, rootDoc: string, extra: string[] = []): string {
    this.names.set(this.view.root.id, rootName);
    this.taken.add(rootName);
    let out = this.interface(this.view.root, rootName, rootDoc, extra);
    for (let struct = this.pending.shift(); struct; struct = this.pending.shift()) {
      out += "\n" + this.interface(struct, this.names.get(struct.id)!, struct.source.description, []);
    }
    return out;
  }

  private interface(struct: ViewStruct, name: string, doc: string | undefined, extra: string[]): string {
    let body = "";
    for (const field of struct.fields) body += this.property(field);
    for (const line of extra) body += `  ${line}\n`;
    return `${docComment(doc, "", struct.source.deprecated)}export interface ${name} {\n${body}}\n`;
  }

  private property(field: ViewField): string {
    const type = this.type(field.type);
    const optional = field.required ? "" : "?";
    const nullable = field.nullable ? " | null" : "";
    const doc = docComment(
      fieldDescription({ ...field.field, deprecated: false }, this.view.direction),
      "  ",
      field.field.deprecated,
    );
    return `${doc}  ${this.readonly}${propertyName(field.name)}${optional}: ${type}${nullable};\n`;
  }

  private type(ty: VTy): string {
    switch (ty.kind) {
      case "string":
        return "string";
      case "number":
        return "number";
      case "bool":
        return "boolean";
      case "dynamic":
        return "unknown";
      case "list":
      case "set": {
        const element = this.type(ty.element);
        return /^[A-Za-z0-9_]+$/.test(element) ? `${element}[]` : `Array<${element}>`;
      }
      case "map":
        return `Record<string, ${this.type(ty.element)}>`;
      case "tuple":
        return `[${ty.elements.map((e) => this.type(e)).join(", ")}]`;
      case "struct":
        return this.structName(ty.struct);
    }
  }

  private structName(struct: ViewStruct): string {
    let name = this.names.get(struct.id);
    if (name === undefined) {
      const base = pascalCase(struct.name) + this.suffix;
      name = base;
      for (let i = 2; this.taken.has(name); i++) name = `${base}${i}`;
      this.taken.add(name);
      this.names.set(struct.id, name);
      this.pending.push(struct);
    }
    return name;
  }
}

export interface TypeScriptTypeOptions {
  header: string;
  kind: ResourceMode;
  type: string;
  description: string;
  /** What the type is, when the schema or the docs say. */
  summary?: string;
  inputs: View;
  outputs: View;
}

export function typeScriptNames(type: string, kind: ResourceMode): { inputs: string; outputs: string } {
  const base = pascalCase(type) + (kind === "data" ? "Data" : "");
  return { inputs: `${base}Inputs`, outputs: `${base}Outputs` };
}

export function typeScriptTypes(options: TypeScriptTypeOptions): string {
  const metas = metaArgumentsOf(options.kind);
  const names = typeScriptNames(options.type, options.kind);
  const taken = new Set<string>(metas.map((m) => META_TYPES[m]!));
  const extra = [
    ...metas.map((m) => `${m}?: ${META_TYPES[m]} | null;`),
    "/** The NixOps4 member path of the resource (set by the generated Nix); never passed to the engine. */",
    `${MEMBER_KEY}?: string[] | null;`,
  ];
  const inputs = new InterfaceWriter(options.inputs, "Input", taken).write(
    names.inputs,
    [`Inputs of ${options.description}`, options.summary].filter(Boolean).join("\n\n"),
    extra,
  );
  const outputs = new InterfaceWriter(options.outputs, "Output", taken).write(
    names.outputs,
    `Outputs of ${options.description}`,
  );
  const imports = metas.map((m) => META_TYPES[m]).join(", ");
  return `${options.header}\nimport type { ${imports} } from "../meta-arguments.js";\n\n${inputs}\n${outputs}`;
}

export function typeScriptMetaArguments(header: string, providerConfig: Struct): string {
  const taken = new Set<string>(Object.values(META_TYPES));
  const parts = [header];
  for (const { name, struct, description } of metaArgumentStructs(providerConfig)) {
    parts.push(new InterfaceWriter(inputView(struct, "provider"), "", taken).write(META_TYPES[name]!, description));
  }
  return parts.join("\n");
}
