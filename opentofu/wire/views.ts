// What one output format sees of a schema: the inputs a user may set (with their defaults) or the outputs the
// provider reports. Identical sub-structures are interned into one ViewStruct, so every emitter writes each of
// them once per file (the AWS giants repeat the same blocks hundreds of times).
import type { Field, PrimitiveKind, Struct, Ty } from "../provider/model.js";
import type { ResourceMode } from "./wire-contract.js";
import { memberAcceptance, takesBlockSyntax } from "./object-members.js";

export type VTy =
  | { kind: PrimitiveKind }
  | { kind: "list" | "set" | "map"; element: VTy }
  | { kind: "tuple"; elements: VTy[] }
  | { kind: "struct"; struct: ViewStruct };

export type NixDefault = "null" | "[ ]" | "{ }";

export interface ViewField {
  name: string;
  type: VTy;
  /** Must be given (JSON Schema `required`, TS non-optional, Nix option without default). */
  required: boolean;
  /** JSON Schema and TS accept null (always when not required; also for required members of cty objects). */
  nullable: boolean;
  /** The Nix option type is `nullOr T`. */
  nixNullable: boolean;
  nixDefault?: NixDefault;
  field: Field;
}

export interface ViewStruct {
  id: number;
  /**
   * Unique within its view, snake_case, named by its use: the field name every place that refers to it shares
   * (prefixed by parent names where that is taken), or, for a struct that fields of different names share, a
   * name all of them fit (sharedName). Never after one of several unrelated fields that have the same shape.
   */
  name: string;
  /** Field names from the root to the first occurrence. */
  path: string[];
  /** The distinct names of the fields that refer to it, in the order they occur. */
  usedAs: string[];
  fields: ViewField[];
  /** How many distinct places in the deduplicated output refer to it; 2 or more → emitted as a named definition. */
  uses: number;
  source: Struct;
}

export interface View {
  direction: "inputs" | "outputs";
  root: ViewStruct;
  /** Every struct except the root, parents before children. */
  structs: ViewStruct[];
}

/** What a user may set: settable attributes and blocks, Terraform's presence rules. */
export function inputView(root: Struct, kind: ResourceMode | "provider", reservedNames: Iterable<string> = []): View {
  const builder = new ViewBuilder("inputs");
  const fields = root.fields.filter(
    // SDKv2 resources declare a legacy optional+computed `id` that is the provider's, not the user's; in data
    // sources it is a real lookup argument.
    (f) => !(kind === "managed" && f.name === "id" && f.optional && f.computed && f.origin === "attribute"),
  );
  const rootStruct = builder.struct({ ...root, fields }, [], 0);
  return builder.finish(rootStruct!, reservedNames);
}

/** What the provider reports: every attribute and block of the state (not write-only ones), all possibly null. */
export function outputView(root: Struct, reservedNames: Iterable<string> = []): View {
  const builder = new ViewBuilder("outputs");
  const rootStruct = builder.struct(root, [], 0);
  return builder.finish(rootStruct!, reservedNames);
}

class ViewBuilder {
  private byKey = new Map<string, ViewStruct>();
  private created: ViewStruct[] = [];

  constructor(private direction: "inputs" | "outputs") {}

  /** Returns undefined for an input struct with nothing settable (such blocks are not inputs at all). */
  /** `elementOfBlockList`: the struct is the element type of a list or set attribute (object-members.ts). */
  struct(source: Struct, path: string[], depth: number, elementOfBlockList = false): ViewStruct | undefined {
    const fields: ViewField[] = [];
    for (const field of source.fields) {
      const viewField = this.field(field, path, depth, elementOfBlockList);
      if (viewField) fields.push(viewField);
    }
    if (this.direction === "inputs" && fields.length === 0 && depth > 0 && source.fields.length > 0) return undefined;
    const key = structKey(source, fields);
    const existing = this.byKey.get(key);
    if (existing) {
      existing.uses++;
      const usedAs = path[path.length - 1];
      if (usedAs !== undefined && !existing.usedAs.includes(usedAs)) existing.usedAs.push(usedAs);
      // This copy's children were counted while it was being built; the kept copy already counted them.
      for (const f of fields) forEachStruct(f.type, (child) => child.uses--);
      return existing;
    }
    const usedAs = path.length > 0 ? [path[path.length - 1]!] : [];
    const struct: ViewStruct = {
      id: this.created.length,
      name: "",
      path,
      usedAs,
      fields,
      uses: depth === 0 ? 0 : 1,
      source,
    };
    this.byKey.set(key, struct);
    this.created.push(struct);
    return struct;
  }

  private field(field: Field, parentPath: string[], depth: number, elementOfBlockList: boolean): ViewField | undefined {
    const inputs = this.direction === "inputs";
    if (inputs && field.origin === "attribute" && !field.required && !field.optional) return undefined;
    // Write-only attributes are never in state: the provider reports them as null, always.
    if (!inputs && field.writeOnly) return undefined;
    const type = this.type(field.type, [...parentPath, field.name], depth + 1, inputs && takesBlockSyntax(field));
    if (!type) return undefined;
    const base = { name: field.name, type, field };
    if (!inputs)
      return {
        ...base,
        required: false,
        nullable: true,
        nixNullable: true,
        nixDefault: depth > 0 ? "null" : undefined,
      };
    const required = { ...base, required: true, nullable: false, nixNullable: false };
    const optional = { ...base, required: false, nullable: true, nixNullable: true, nixDefault: "null" as const };
    if (field.origin === "member") {
      const acceptance = memberAcceptance(field, elementOfBlockList);
      return acceptance.mayBeAbsent ? optional : { ...optional, required: true };
    }
    if (field.origin === "attribute") return field.required ? required : optional;
    const atLeastOne = (field.minItems ?? 0) >= 1;
    switch (field.nesting) {
      case "single":
        return atLeastOne ? required : optional;
      case "group":
      case "map":
        return { ...base, required: false, nullable: true, nixNullable: false, nixDefault: "{ }" };
      default:
        return atLeastOne
          ? required
          : { ...base, required: false, nullable: true, nixNullable: false, nixDefault: "[ ]" };
    }
  }

  private type(ty: Ty, path: string[], depth: number, elementOfBlockList = false): VTy | undefined {
    switch (ty.kind) {
      case "list":
      case "set":
      case "map": {
        const element = this.type(ty.element, path, depth, elementOfBlockList && ty.kind !== "map");
        return element && { kind: ty.kind, element };
      }
      case "tuple": {
        const elements: VTy[] = [];
        for (const t of ty.elements) {
          const e = this.type(t, path, depth);
          if (!e) return undefined;
          elements.push(e);
        }
        return { kind: "tuple", elements };
      }
      case "struct": {
        const struct = this.struct(ty.struct, path, depth, elementOfBlockList);
        return struct && { kind: "struct", struct };
      }
      default:
        return ty;
    }
  }

  finish(root: ViewStruct, reservedNames: Iterable<string>): View {
    const structs = this.created.filter((s) => s !== root);
    // Parents before children, so that shallow structs get the short names.
    structs.sort((a, b) => a.path.length - b.path.length || a.id - b.id);
    const taken = new Set<string>(reservedNames);
    const fieldNames = new Set([root, ...structs].flatMap((s) => s.fields.map((f) => f.name)));
    for (const struct of structs) {
      struct.name =
        struct.usedAs.length > 1 ? sharedName(struct.usedAs, taken, fieldNames) : uniqueName(struct.path, taken);
    }
    return { direction: this.direction, root, structs };
  }
}

/** Beyond this, a joined name says less than a neutral one. */
const MAX_JOINED_NAMES = 3;
const MAX_JOINED_LENGTH = 48;

/**
 * The name of a struct that fields of different names share: the words all their names have in common at the
 * start and end (`amazon_managed_kafka_config`, `self_managed_kafka_config` → `managed_kafka_config`; at least
 * two words or one of five letters) unless a field of the type has that name (the reader would take it for that field's), else the names joined by `_or_`,
 * else `shared_object`.
 */
function sharedName(usedAs: string[], taken: Set<string>, fieldNames: ReadonlySet<string>): string {
  const affix = commonAffix(usedAs);
  const joined = usedAs.join("_or_");
  const base =
    affix && !fieldNames.has(affix)
      ? affix
      : usedAs.length <= MAX_JOINED_NAMES && joined.length <= MAX_JOINED_LENGTH
        ? joined
        : "shared_object";
  return numbered(base, taken, !taken.has(base));
}

function commonAffix(names: string[]): string {
  const words = names.map((n) => n.split("_"));
  const shortest = Math.min(...words.map((w) => w.length));
  let prefix = 0;
  while (prefix < shortest && words.every((w) => w[prefix] === words[0]![prefix])) prefix++;
  let suffix = 0;
  while (
    prefix + suffix < shortest &&
    words.every((w) => w[w.length - 1 - suffix] === words[0]![words[0]!.length - 1 - suffix])
  )
    suffix++;
  const first = words[0]!;
  const common = [...first.slice(0, prefix), ...first.slice(first.length - suffix)];
  // One short word in common (`on_failure`, `on_success` → `on`) names nothing.
  return common.length >= 2 || (common[0]?.length ?? 0) >= 5 ? common.join("_") : "";
}

function numbered(base: string, taken: Set<string>, bareIsFree: boolean): string {
  if (bareIsFree) {
    taken.add(base);
    return base;
  }
  for (let i = 2; ; i++) {
    if (!taken.has(`${base}_${i}`)) {
      taken.add(`${base}_${i}`);
      return `${base}_${i}`;
    }
  }
}

function uniqueName(path: string[], taken: Set<string>): string {
  for (let n = 1; n <= path.length; n++) {
    const candidate = path.slice(path.length - n).join("_");
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
  return numbered(path.join("_"), taken, false);
}

/** Calls `visit` for each struct the type refers to directly (not for structs inside those structs). */
export function forEachStruct(ty: VTy, visit: (struct: ViewStruct) => void): void {
  switch (ty.kind) {
    case "list":
    case "set":
    case "map":
      forEachStruct(ty.element, visit);
      return;
    case "tuple":
      ty.elements.forEach((e) => forEachStruct(e, visit));
      return;
    case "struct":
      visit(ty.struct);
      return;
  }
}

function tyKey(ty: VTy): string {
  switch (ty.kind) {
    case "list":
      return `L(${tyKey(ty.element)})`;
    case "set":
      return `S(${tyKey(ty.element)})`;
    case "map":
      return `M(${tyKey(ty.element)})`;
    case "tuple":
      return `T(${ty.elements.map(tyKey).join(",")})`;
    case "struct":
      return `#${ty.struct.id}`;
    default:
      return ty.kind;
  }
}

function structKey(source: Struct, fields: ViewField[]): string {
  const parts: unknown[] = [source.deprecated, source.description ?? ""];
  for (const v of fields) {
    const f = v.field;
    parts.push(
      v.name,
      tyKey(v.type),
      v.required,
      v.nullable,
      v.nixNullable,
      v.nixDefault ?? "",
      f.origin,
      f.nesting ?? "",
      f.minItems ?? 0,
      f.maxItems ?? 0,
      f.required,
      f.optional,
      f.computed,
      f.sensitive,
      f.writeOnly,
      f.deprecated,
      f.description ?? "",
    );
  }
  return JSON.stringify(parts);
}
