// The short remarks every output format attaches to a field (Nix descriptions, TS doc comments, Markdown).
import type { Field } from "../../opentofu/provider/model.js";

export function presenceOf(field: Field): string {
  if (field.origin === "block") return "block";
  if (field.required) return "required";
  if (field.optional && field.computed) return "optional, computed";
  if (field.optional) return "optional";
  if (field.computed) return "computed";
  return "";
}

/** "1..5 items", "at most 1 item": the item range of a block or nested attribute type, if it has one. */
export function itemRange(field: Field): string | undefined {
  const min = field.minItems ?? 0;
  const max = field.maxItems;
  if (!min && !max) return undefined;
  if (!max) return `at least ${min} item${min === 1 ? "" : "s"}`;
  if (!min) return `at most ${max} item${max === 1 ? "" : "s"}`;
  return min === max ? `exactly ${min} item${min === 1 ? "" : "s"}` : `${min}..${max} items`;
}

/** Notes about setting a field (inputs), or about reading it (outputs: what an input note says of how to set it,
 * item counts and write-only included, is no news to a reader of the resulting state). */
export function fieldNotes(field: Field, direction: "inputs" | "outputs" = "inputs"): string[] {
  const notes: string[] = [];
  if (direction === "inputs") {
    if (field.optional && field.computed) notes.push("computed by the provider when not set");
    const range =
      field.nesting && field.nesting !== "single" && field.nesting !== "group" ? itemRange(field) : undefined;
    if (range) notes.push(range);
  }
  if (field.sensitive) notes.push("sensitive");
  if (direction === "inputs" && field.writeOnly) notes.push("write-only (not kept in state)");
  if (field.deprecated) notes.push("deprecated");
  return notes;
}

/** The field's description followed by its notes, or undefined when there is nothing to say. */
export function fieldDescription(field: Field, direction: "inputs" | "outputs" = "inputs"): string | undefined {
  const notes = fieldNotes(field, direction);
  const noteText = notes.length > 0 ? `(${notes.join("; ")})` : "";
  if (field.description && noteText) return `${field.description}\n\n${noteText}`;
  return field.description || noteText || undefined;
}
