// Pretty-prints JSON and remembers which JSON path each line holds, so that an engine diagnostic that points
// at "main.tf.json line 12" can be reported as the attribute path the user wrote (e.g. tags.Name).
import { stringifyExact, LosslessNumber } from "../json/exact-json.js";

export type JsonPath = (string | number)[];

export interface LocatedJson {
  text: string;
  /** pathAtLine[n] is the path of the value that starts on line n (1-based). */
  pathAtLine: JsonPath[];
}

export function locatedJson(value: unknown): LocatedJson {
  const lines: string[] = [];
  const pathAtLine: JsonPath[] = [[]];
  let current = "";

  const newline = (indent: number, path: JsonPath) => {
    lines.push(current);
    pathAtLine[lines.length + 1] = path;
    current = "  ".repeat(indent);
  };

  const emit = (node: unknown, indent: number, path: JsonPath): void => {
    if (Array.isArray(node)) {
      if (node.length === 0) {
        current += "[]";
        return;
      }
      current += "[";
      node.forEach((item, index) => {
        newline(indent + 1, [...path, index]);
        emit(item, indent + 1, [...path, index]);
        if (index < node.length - 1) current += ",";
      });
      newline(indent, path);
      current += "]";
      return;
    }
    if (node !== null && typeof node === "object" && !(node instanceof LosslessNumber)) {
      const entries = Object.entries(node).filter(([, v]) => v !== undefined);
      if (entries.length === 0) {
        current += "{}";
        return;
      }
      current += "{";
      entries.forEach(([key, inner], index) => {
        newline(indent + 1, [...path, key]);
        current += `${JSON.stringify(key)}: `;
        emit(inner, indent + 1, [...path, key]);
        if (index < entries.length - 1) current += ",";
      });
      newline(indent, path);
      current += "}";
      return;
    }
    current += stringifyExact(node);
  };

  pathAtLine[1] = [];
  emit(value, 0, []);
  lines.push(current);
  return { text: lines.join("\n") + "\n", pathAtLine };
}
