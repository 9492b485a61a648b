// Engine diagnostics → one readable message: the resource type, the attribute path the user wrote (recovered from
// the diagnostic's line in main.tf.json), the summary and the detail.
import type { JsonPath } from "../workspace/located-json.js";
import type { Diagnostic } from "../../opentofu/engine/json-ui.js";

export function userPath(path: JsonPath | undefined): string | undefined {
  if (!path || path.length === 0) return undefined;
  // ["resource", TYPE, NAME, ...attr] or ["data", TYPE, NAME, ...attr] (NAME: r0, r1, …) or ["provider", NAME, ...attr]
  let rest: JsonPath;
  if ((path[0] === "resource" || path[0] === "data") && path.length > 3) rest = path.slice(3);
  else if (path[0] === "provider" && path.length > 2) rest = ["provider", ...path.slice(2)];
  else if (path[0] === "import") rest = ["import"];
  else return undefined;
  return rest.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`)).join("");
}

export function formatDiagnostic(diagnostic: Diagnostic, pathAtLine: JsonPath[]): string {
  const line = diagnostic.range?.filename === "main.tf.json" ? diagnostic.range.start.line : undefined;
  const path = userPath(line !== undefined ? pathAtLine[line] : undefined);
  const parts = [`${diagnostic.severity === "error" ? "Error" : "Warning"}: ${diagnostic.summary}`];
  if (path) parts.push(`  at attribute: ${path}`);
  if (diagnostic.detail)
    parts.push(
      ...diagnostic.detail
        .trim()
        .split("\n")
        .map((l) => `  ${l}`),
    );
  return parts.join("\n");
}

export function formatDiagnostics(diagnostics: Diagnostic[], pathAtLine: JsonPath[]): string {
  return diagnostics.map((d) => formatDiagnostic(d, pathAtLine)).join("\n");
}
