// What one output format sees of a schema: the inputs a user may set (with their defaults) or the outputs the
// provider reports. Identical sub-structures are interned into one ViewStruct, so every emitter writes each of
// them once per file (the AWS giants repeat the same blocks hundreds of times).
import type { Field, PrimitiveKind, Struct, Ty } from "../provider/model.js";
import type { ResourceMode } from "./wire-contract.js";

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
  /** The Nix option type is `nullOr T`. JSON Schema and TS accept null exactly when the field is not required. */
  nixNullable: boolean;
  nixDefault?: NixDefault;
  field: Field;
}

export interface ViewStruct {
  id: number;
  /** Unique within its view: a snake_case name taken from where it first occurs. */
  name: string;
  /** Field names from the root to the first occurrence. */
  path: string[];
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

/** What the provider reports: every attribute and block of the state, all possibly null. */
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
  struct(source: Struct, path: string[], depth: number): ViewStruct | undefined {
    const fields: ViewField[] = [];
    for (const field of source.fields) {
      const viewField = this.field(field, path, depth);
      if (viewField) fields.push(viewField);
    }
    if (this.direction === "inputs" && fields.length === 0 && depth > 0 && source.fields.length > 0) return undefined;
    const key = structKey(source, fields);
    const existing = this.byKey.get(key);
    if (existing) {
      existing.uses++;
      // This copy's children were counted while it was being built; the kept copy already counted them.
      for (const f of fields) forEachStruct(f.type, (child) => child.uses--);
      return existing;
    }
    const struct: ViewStruct = { id: this.created.length, name: "", path, fields, uses: depth === 0 ? 0 : 1, source };
    this.byKey.set(key, struct);
    this.created.push(struct);
    return struct;
  }

  private field(field: Field, parentPath: string[], depth: number): ViewField | undefined {
    const inputs = this.direction === "inputs";
    if (inputs && field.origin === "attribute" && !field.required && !field.optional) return undefined;
    const type = this.type(field.type, [...parentPath, field.name], depth + 1);
    if (!type) return undefined;
    if (!inputs) {
      return { name: field.name, type, required: false, nixNullable: true, nixDefault: depth > 0 ? "null" : undefined, field };
    }
    if (field.origin !== "block") {
      return field.required
        ? { name: field.name, type, required: true, nixNullable: false, field }
        : { name: field.name, type, required: false, nixNullable: true, nixDefault: "null", field };
    }
    const atLeastOne = (field.minItems ?? 0) >= 1;
    switch (field.nesting) {
      case "single":
        return atLeastOne
          ? { name: field.name, type, required: true, nixNullable: false, field }
          : { name: field.name, type, required: false, nixNullable: true, nixDefault: "null", field };
      case "group":
        return { name: field.name, type, required: false, nixNullable: false, nixDefault: "{ }", field };
      case "map":
        return { name: field.name, type, required: false, nixNullable: false, nixDefault: "{ }", field };
      default:
        return atLeastOne
          ? { name: field.name, type, required: true, nixNullable: false, field }
          : { name: field.name, type, required: false, nixNullable: false, nixDefault: "[ ]", field };
    }
  }

  private type(ty: Ty, path: string[], depth: number): VTy | undefined {
    switch (ty.kind) {
      case "list":
      case "set":
      case "map": {
        const element = this.type(ty.element, path, depth);
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
        const struct = this.struct(ty.struct, path, depth);
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
    for (const struct of structs) struct.name = uniqueName(struct.path, taken);
    return { direction: this.direction, root, structs };
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
  const base = path.join("_");
  for (let i = 2; ; i++) {
    if (!taken.has(`${base}_${i}`)) {
      taken.add(`${base}_${i}`);
      return `${base}_${i}`;
    }
  }
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
