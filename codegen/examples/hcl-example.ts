// A provider's HCL example (from its docs) → NixOps4 members. HCL is parsed by @cdktn/hcl2json (HashiCorp's
// own HCL parser compiled to WebAssembly), expressions by its getExpressionAst. Every `resource` and `data`
// block becomes a member of the same name; `aws_s3_bucket.b.arn` becomes `members.b.outputs.arn`. Values are
// typed by the schema: blocks vs. maps, a single block vs. a list of them, and Terraform's conversions of
// literals (`port = "80"` into a number). What has no faithful Nix form here (variables, locals, count,
// for_each, depends_on, functions other than jsonencode/tostring, conditionals, for expressions, other
// providers' types, attributes the schema does not have) refuses the whole example with a reason, so that every
// example on a page evaluates.
import type { TFExpressionSyntaxTree } from "@cdktn/hcl2json";
import type { ResourceMode } from "../../opentofu/wire/wire-contract.js";
import type { View, ViewField, ViewStruct, VTy } from "../../opentofu/wire/views.js";
import type { ExampleMember } from "./example-module.js";
import { nix, type NixExpr } from "./nix-expr.js";

export class ExampleConversionError extends Error {}

export interface ExampleTypes {
  /** The input and output views of one of the provider's types; undefined when the provider has no such type. */
  views(kind: ResourceMode, type: string): { inputs: View; outputs: View } | undefined;
}

interface HclBlock {
  kind: ResourceMode;
  type: string;
  label: string;
  body: Record<string, unknown>;
}

type ExpressionType = TFExpressionSyntaxTree.ExpressionType;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const IGNORED_TOP_LEVEL = new Set(["terraform", "provider", "output"]);
const META_ARGUMENTS = new Set([
  "count",
  "for_each",
  "depends_on",
  "provider",
  "lifecycle",
  "provisioner",
  "connection",
]);
/** Member names the example itself uses. */
const RESERVED_MEMBERS = new Set(["state"]);

/** Loaded on first use: loading instantiates the parser's WebAssembly module (about a second). */
function hcl2json(): Promise<typeof import("@cdktn/hcl2json")> {
  return import("@cdktn/hcl2json");
}

export async function convertHclExample(hcl: string, types: ExampleTypes): Promise<ExampleMember[]> {
  const { parse } = await hcl2json();
  let document: Record<string, unknown>;
  try {
    document = await parse("example.tf", hcl);
  } catch (error) {
    throw new ExampleConversionError(`not valid HCL: ${error instanceof Error ? error.message : String(error)}`);
  }
  const blocks: HclBlock[] = [];
  for (const [top, content] of Object.entries(document)) {
    if (IGNORED_TOP_LEVEL.has(top)) continue;
    if (top !== "resource" && top !== "data") throw new ExampleConversionError(`uses a \`${top}\` block`);
    for (const [type, byLabel] of Object.entries(content as Record<string, Record<string, unknown>[]>)) {
      for (const [label, bodies] of Object.entries(byLabel)) {
        for (const body of bodies as unknown as Record<string, unknown>[])
          blocks.push({ kind: top === "data" ? "data" : "managed", type, label, body });
      }
    }
  }
  if (blocks.length === 0) throw new ExampleConversionError("has no resource or data block");
  const converter = new Converter(types, blocks);
  const members = new Map<HclBlock, ExampleMember>();
  for (const block of blocks) members.set(block, await converter.member(block));
  return converter.dependencyOrder().map((b) => members.get(b)!);
}

class Converter {
  private names = new Map<HclBlock, string>();
  /** The blocks each block refers to. */
  private refersTo = new Map<HclBlock, Set<HclBlock>>();
  private current: HclBlock | undefined;

  constructor(
    private types: ExampleTypes,
    private blocks: HclBlock[],
  ) {
    // Terraform names are unique per type, member names per deployment: a label used twice gets its type's
    // name without the provider prefix (`lb` → `lb_iam_user`, `lb_iam_access_key`).
    const labelCount = new Map<string, number>();
    for (const b of blocks) labelCount.set(b.label, (labelCount.get(b.label) ?? 0) + 1);
    const shortType = (type: string) => type.replace(/^[a-z0-9]+_/, "");
    for (const b of blocks) {
      const unique = labelCount.get(b.label) === 1 && !RESERVED_MEMBERS.has(b.label);
      this.names.set(b, unique ? b.label : `${b.label}_${shortType(b.type)}${b.kind === "data" ? "_data" : ""}`);
    }
  }

  async member(block: HclBlock): Promise<ExampleMember> {
    const views = this.viewsOf(block.kind, block.type);
    const where = `${block.kind === "data" ? "data." : ""}${block.type}.${block.label}`;
    for (const key of Object.keys(block.body)) {
      if (META_ARGUMENTS.has(key)) throw new ExampleConversionError(`${where}: uses \`${key}\``);
    }
    this.current = block;
    this.refersTo.set(block, new Set());
    const inputs = await this.struct(block.body as Json, views.inputs.root, where);
    return { name: this.names.get(block)!, kind: block.kind, type: block.type, inputs };
  }

  /** Members that others refer to before those, as one reads a deployment (otherwise in hcl2json's order). */
  dependencyOrder(): HclBlock[] {
    const ordered: HclBlock[] = [];
    const visit = (block: HclBlock, path: Set<HclBlock>) => {
      if (ordered.includes(block) || path.has(block)) return;
      path.add(block);
      for (const dependency of this.refersTo.get(block) ?? []) visit(dependency, path);
      ordered.push(block);
    };
    for (const block of this.blocks) visit(block, new Set());
    return ordered;
  }

  private viewsOf(kind: ResourceMode, type: string): { inputs: View; outputs: View } {
    const views = this.types.views(kind, type);
    if (!views)
      throw new ExampleConversionError(
        `uses ${kind === "data" ? "data source" : "resource"} ${type}, which the provider's schema does not have`,
      );
    return views;
  }

  private async struct(value: Json, struct: ViewStruct, where: string): Promise<NixExpr> {
    // hcl2json writes every block as a list of bodies; a single or group block has one.
    if (Array.isArray(value) && value.length === 1) value = value[0]!;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      if (typeof value === "string" && value.includes("${"))
        throw new ExampleConversionError(`${where}: an expression where an object is expected`);
      throw new ExampleConversionError(`${where}: expected a block or object`);
    }
    const entries: [string, NixExpr][] = [];
    for (const [key, v] of Object.entries(value)) {
      const field = struct.fields.find((f) => f.name === key);
      if (!field) throw new ExampleConversionError(`${where}.${key}: not an input of this type`);
      entries.push([key, await this.value(v, field.type, `${where}.${key}`)]);
    }
    for (const field of struct.fields) {
      if (field.required && !(field.name in value))
        throw new ExampleConversionError(`${where}.${field.name}: required, not set`);
    }
    return nix.attrs(entries);
  }

  /** `ty` undefined: an untyped value (inside jsonencode, or a dynamic attribute). */
  private async value(value: Json, ty: VTy | undefined, where: string): Promise<NixExpr> {
    if (typeof value === "string" && (value.includes("${") || value.includes("%{")))
      return this.expression(value, ty, where);
    if (value === null) return nix.null;
    switch (ty?.kind) {
      case "string":
        if (typeof value === "object") throw new ExampleConversionError(`${where}: expected a string`);
        return nix.str(String(value));
      case "number":
        if (typeof value === "number") return nix.num(value);
        if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return nix.num(value);
        throw new ExampleConversionError(`${where}: expected a number`);
      case "bool":
        if (typeof value === "boolean") return nix.bool(value);
        if (value === "true" || value === "false") return nix.bool(value === "true");
        throw new ExampleConversionError(`${where}: expected a bool`);
      case "list":
      case "set": {
        if (!Array.isArray(value)) throw new ExampleConversionError(`${where}: expected a list`);
        const items: NixExpr[] = [];
        for (const [i, item] of value.entries()) items.push(await this.value(item, ty.element, `${where}[${i}]`));
        return nix.list(items);
      }
      case "tuple": {
        if (!Array.isArray(value) || value.length !== ty.elements.length)
          throw new ExampleConversionError(`${where}: expected ${ty.elements.length} items`);
        const items: NixExpr[] = [];
        for (const [i, item] of value.entries()) items.push(await this.value(item, ty.elements[i], `${where}[${i}]`));
        return nix.list(items);
      }
      case "map": {
        if (typeof value !== "object" || Array.isArray(value))
          throw new ExampleConversionError(`${where}: expected a map`);
        const entries: [string, NixExpr][] = [];
        for (const [k, v] of Object.entries(value)) entries.push([k, await this.value(v, ty.element, `${where}.${k}`)]);
        return nix.attrs(entries);
      }
      case "struct":
        return this.struct(value, ty.struct, where);
      default:
        return this.untyped(value, where);
    }
  }

  private async untyped(value: Json, where: string): Promise<NixExpr> {
    if (typeof value === "string") return nix.str(value);
    if (typeof value === "number") return nix.num(value);
    if (typeof value === "boolean") return nix.bool(value);
    if (value === null) return nix.null;
    if (Array.isArray(value))
      return nix.list(await Promise.all(value.map((v, i) => this.value(v, undefined, `${where}[${i}]`))));
    const entries: [string, NixExpr][] = [];
    for (const [k, v] of Object.entries(value)) entries.push([k, await this.value(v, undefined, `${where}.${k}`)]);
    return nix.attrs(entries);
  }

  /** A string hcl2json kept as template source: parsed as a heredoc template, so quotes and newlines stay. */
  private async expression(source: string, ty: VTy | undefined, where: string): Promise<NixExpr> {
    let marker = "EOT";
    while (source.includes(marker)) marker += "X";
    const addedNewline = !source.endsWith("\n");
    const { getExpressionAst } = await hcl2json();
    let ast: ExpressionType | null;
    try {
      ast = await getExpressionAst("example.tf", `<<${marker}\n${source}${addedNewline ? "\n" : ""}${marker}\n`);
    } catch {
      throw new ExampleConversionError(`${where}: cannot read ${JSON.stringify(source)}`);
    }
    if (!ast) throw new ExampleConversionError(`${where}: cannot read ${JSON.stringify(source)}`);
    const text = Buffer.from(`<<${marker}\n${source}${addedNewline ? "\n" : ""}${marker}\n`);
    const expr = await new ExpressionConverter(this, text, where).template(ast, addedNewline);
    return coerceLiteral(expr, ty, where);
  }

  /** `members.<name>.outputs.<attribute>…` for a traversal of a resource or data source of the example. */
  reference(
    parts: { name?: string; index?: string }[],
    where: string,
    accessor: string,
  ): { expr: NixExpr; ty: VTy | undefined } {
    const names = parts.map((p) => p.name);
    const isData = names[0] === "data";
    const [type, label] = isData ? [names[1], names[2]] : [names[0], names[1]];
    const rest = parts.slice(isData ? 3 : 2);
    const block = this.blocks.find(
      (b) => b.kind === (isData ? "data" : "managed") && b.type === type && b.label === label,
    );
    if (!block || !type || !label)
      throw new ExampleConversionError(`${where}: refers to \`${accessor}\`, which the example does not define`);
    this.refersTo.get(this.current!)!.add(block);
    const attribute = rest[0]?.name;
    if (!attribute) throw new ExampleConversionError(`${where}: refers to \`${accessor}\` as a whole`);
    const field = this.viewsOf(block.kind, block.type).outputs.root.fields.find((f) => f.name === attribute);
    if (!field) throw new ExampleConversionError(`${where}: \`${accessor}\`: ${block.type} has no output ${attribute}`);
    let text = `members.${nixAttrNameOf(this.names.get(block)!)}.outputs.${nixAttrNameOf(attribute)}`;
    let ty: VTy | undefined = field.type;
    for (const part of rest.slice(1)) {
      if (part.name !== undefined && ty?.kind === "struct") {
        const next: ViewField | undefined = ty.struct.fields.find((f) => f.name === part.name);
        if (!next) throw new ExampleConversionError(`${where}: \`${accessor}\`: no attribute ${part.name}`);
        text = `${text}.${nixAttrNameOf(part.name)}`;
        ty = next.type;
      } else if (part.index !== undefined && /^\d+$/.test(part.index) && (ty?.kind === "list" || ty?.kind === "set")) {
        text = `(builtins.elemAt ${text} ${part.index})`;
        ty = ty.element;
      } else if (part.index !== undefined && /^"[^"\\]*"$/.test(part.index) && ty?.kind === "map") {
        text = `${text}.${part.index}`;
        ty = ty.element;
      } else {
        throw new ExampleConversionError(`${where}: \`${accessor}\`: cannot follow ${part.name ?? `[${part.index}]`}`);
      }
    }
    return { expr: nix.ref(text), ty };
  }
}

function nixAttrNameOf(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(name) ? name : JSON.stringify(name);
}

class ExpressionConverter {
  constructor(
    private converter: Converter,
    private source: Buffer,
    private where: string,
  ) {}

  private text(node: ExpressionType): string {
    return this.source.subarray(node.range.start.byte, node.range.end.byte).toString("utf8");
  }

  private unsupported(node: ExpressionType): never {
    throw new ExampleConversionError(`${this.where}: \`${node.meta?.value ?? this.text(node)}\` has no Nix form here`);
  }

  /** The heredoc wrapper: its parts, without the newline the wrapper added. */
  async template(node: ExpressionType, addedNewline: boolean): Promise<NixExpr> {
    const children = [...(node.children ?? [])];
    if (node.type === "templateWrap" && !addedNewline) return this.convert(children[0]!);
    const last = children[children.length - 1];
    if (addedNewline && last?.type === "literalValue") {
      const text = last.meta.value.replace(/\n$/, "");
      if (text === "") children.pop();
      else children[children.length - 1] = { ...last, meta: { ...last.meta, value: text } };
    }
    // The whole string one interpolation: its value as it is (a list stays a list, a number a number).
    if (children.length === 1 && children[0]!.type !== "literalValue") return this.convert(children[0]!);
    return this.stringOf(children);
  }

  private async stringOf(children: ExpressionType[]): Promise<NixExpr> {
    const parts: (string | NixExpr)[] = [];
    for (const child of children) {
      if (child.type === "literalValue") {
        parts.push(unescapeTemplateLiteral(child.meta.value));
        continue;
      }
      const part = await this.interpolated(child);
      if (part.kind === "string") parts.push(...part.parts);
      else parts.push(part);
    }
    return { kind: "string", parts };
  }

  /** An interpolated value: Nix interpolates only strings, so anything else is converted as Terraform would. */
  private async interpolated(node: ExpressionType): Promise<NixExpr> {
    if (node.type === "scopeTraversal") {
      const { expr, ty } = this.traversal(node);
      return ty?.kind === "string" ? expr : nix.apply("toString", expr);
    }
    const expr = await this.convert(node);
    if (expr.kind === "string") return expr;
    if (expr.kind === "number") return nix.str(expr.text);
    if (expr.kind === "bool") return nix.str(String(expr.value));
    if (expr.kind === "apply" && (expr.fn === "builtins.toJSON" || expr.fn === "toString")) return expr;
    return nix.apply("toString", expr);
  }

  private traversal(node: TFExpressionSyntaxTree.ScopeTraversalExpression): { expr: NixExpr; ty: VTy | undefined } {
    const parts = node.meta.traversal.map((p) =>
      p.type === "nameTraversal" ? { name: p.segment } : { index: p.segment },
    );
    return this.converter.reference(parts, this.where, node.meta.fullAccessor);
  }

  async convert(node: ExpressionType): Promise<NixExpr> {
    switch (node.type) {
      case "templateWrap":
        return this.convert(node.children[0]!);
      case "template":
        return this.stringOf(node.children);
      case "literalValue": {
        const { type, value } = node.meta;
        if (type === "number") return nix.num(value);
        if (type === "bool") return nix.bool(value === "true");
        if (value === "null") return nix.null;
        return nix.str(value);
      }
      case "tuple":
        return nix.list(await Promise.all(node.children.map((c) => this.convert(c))));
      case "object": {
        // Children alternate: a key node (its text, or a template for a quoted key), then the value.
        const entries: [string, NixExpr][] = [];
        for (let i = 0; i + 1 < node.children.length; i += 2) {
          const keyNode = node.children[i]!;
          const quoted = keyNode.children?.[0];
          const key =
            quoted?.type === "template" && quoted.children.length === 1 && quoted.children[0]!.type === "literalValue"
              ? quoted.children[0]!.meta.value
              : this.text(keyNode);
          if (!/^[A-Za-z0-9_.:/ -]+$/.test(key)) this.unsupported(keyNode);
          entries.push([key, await this.convert(node.children[i + 1]!)]);
        }
        return nix.attrs(entries);
      }
      case "function": {
        const fn = { jsonencode: "builtins.toJSON", tostring: "toString" }[node.meta.name];
        if (!fn || node.children.length !== 1) this.unsupported(node);
        return nix.apply(fn, await this.convert(node.children[0]!));
      }
      case "scopeTraversal":
        return this.traversal(node).expr;
      default:
        return this.unsupported(node);
    }
  }
}

/** Template literals come back as written: `$${` and `%%{` are HCL's escapes of `${` and `%{`. */
function unescapeTemplateLiteral(text: string): string {
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** A literal in a string where the schema wants a number or bool, converted as Terraform converts it. */
function coerceLiteral(expr: NixExpr, ty: VTy | undefined, where: string): NixExpr {
  if (expr.kind !== "string" || !expr.parts.every((p) => typeof p === "string")) return expr;
  const text = expr.parts.join("");
  if (ty?.kind === "number") {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new ExampleConversionError(`${where}: expected a number`);
    return nix.num(text);
  }
  if (ty?.kind === "bool") {
    if (text !== "true" && text !== "false") throw new ExampleConversionError(`${where}: expected a bool`);
    return nix.bool(text === "true");
  }
  return { kind: "string", parts: [text] };
}
