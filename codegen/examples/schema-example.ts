// The smallest inputs a type accepts, from its input view: every required argument with a placeholder of its
// type and every required block with the fewest items it may have. For types whose docs have no example.
import { nix, type NixExpr } from "./nix-expr.js";
import type { View, ViewField, ViewStruct, VTy } from "../../opentofu/wire/views.js";

export function minimalInputs(inputs: View): NixExpr {
  return structValue(inputs.root);
}

function structValue(struct: ViewStruct): NixExpr {
  return nix.attrs(struct.fields.filter((f) => f.required).map((f) => [f.name, fieldValue(f)]));
}

function fieldValue(field: ViewField): NixExpr {
  return placeholder(field.type, field.name, Math.max(field.field.minItems ?? 0, 1));
}

function placeholder(ty: VTy, name: string, items = 1): NixExpr {
  switch (ty.kind) {
    case "string":
      return nix.str(`example-${name.replace(/_/g, "-")}`);
    case "number":
      return nix.num(1);
    case "bool":
      return nix.bool(true);
    case "dynamic":
      return nix.str("example");
    case "list":
    case "set":
      return nix.list(Array.from({ length: items }, () => placeholder(ty.element, name)));
    case "map":
      return nix.attrs([["example", placeholder(ty.element, name)]]);
    case "tuple":
      return nix.list(ty.elements.map((e) => placeholder(e, name)));
    case "struct":
      return structValue(ty.struct);
  }
}
