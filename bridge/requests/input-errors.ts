// Turns JSON Schema validation errors into messages a user can act on: the attribute path as written in Nix,
// what was expected, and for a misspelt attribute the closest valid name.
import type { ErrorObject } from "ajv";
import { closest, distance } from "fastest-levenshtein";

export function attributePath(instancePath: string): string {
  if (instancePath === "") return "";
  return instancePath
    .slice(1)
    .split("/")
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((step, i) => (/^\d+$/.test(step) ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join("");
}

export function suggestion(name: string, candidates: string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(name, candidates);
  // Only suggest what is plausibly a typo, not an arbitrary other attribute.
  return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "object";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function expectedType(type: unknown): string {
  const types = (Array.isArray(type) ? type : [type]).filter((t) => t !== "null");
  const names = types.map((t) => (t === "array" ? "list" : t === "boolean" ? "bool" : String(t)));
  return names.join(" or ");
}

function where(path: string): string {
  return path ? `attribute "${path}"` : "the inputs";
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function unknownAttribute(path: string, name: string, valid: string[]): string {
  const near = suggestion(name, valid);
  return (
    `unknown attribute "${child(path, name)}"` +
    (near ? ` (did you mean "${child(path, near)}"?)` : valid.length > 0 ? `; valid here: ${valid.join(", ")}` : "")
  );
}

/** One line per problem, most specific first; duplicate messages from union branches are dropped. */
export function describeInputErrors(errors: ErrorObject[]): string[] {
  const lines = new Set<string>();
  for (const error of errors) {
    const path = attributePath(error.instancePath);
    switch (error.keyword) {
      case "additionalProperties": {
        const name = (error.params as { additionalProperty: string }).additionalProperty;
        const properties = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        lines.add(unknownAttribute(path, name, properties));
        break;
      }
      case "propertyNames":
        break; // its enum error below names the attribute
      case "required":
        lines.add(
          `missing required attribute "${child(path, (error.params as { missingProperty: string }).missingProperty)}"`,
        );
        break;
      case "type":
        // The `null` branch of an optional value's anyOf: the other branch says what was expected.
        if (expectedType((error.params as { type: unknown }).type) === "") break;
        lines.add(
          `${where(path)}: expected ${expectedType((error.params as { type: unknown }).type)}, got ${jsonTypeOf(error.data)}`,
        );
        break;
      case "minItems":
      case "maxItems": {
        const limit = (error.params as { limit: number }).limit;
        const count = Array.isArray(error.data) ? error.data.length : 0;
        lines.add(
          `${where(path)}: expected ${error.keyword === "minItems" ? "at least" : "at most"} ${limit} item(s), got ${count}`,
        );
        break;
      }
      case "enum":
        // An unknown name under an object validator-schema.ts compacted: the enum lists the valid names.
        if (error.propertyName !== undefined) {
          lines.add(
            unknownAttribute(path, error.propertyName, (error.params as { allowedValues: string[] }).allowedValues),
          );
          break;
        }
        lines.add(
          `${where(path)}: expected one of ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`,
        );
        break;
      case "const":
        lines.add(
          `${where(path)}: expected ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`,
        );
        break;
      case "anyOf":
      case "oneOf":
      case "if":
      case "not":
        break; // the branch errors say what is wrong
      default:
        lines.add(`${where(path)}: ${error.message ?? "is invalid"}`);
    }
  }
  return [...lines];
}
