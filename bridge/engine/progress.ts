// What the engine is doing, as lines on stderr: planned changes, creating…, still creating… [10s elapsed],
// complete. The engine's own messages already say it well; only the workspace-internal address is renamed.
import type { UiMessage } from "../../opentofu/engine/json-ui.js";

const SHOWN = new Set([
  "planned_change",
  "apply_start",
  "apply_progress",
  "apply_complete",
  "apply_errored",
  "resource_drift",
  "change_summary",
]);

export function progressLine(message: UiMessage, label: string): string | undefined {
  if (message.type === "diagnostic") {
    const diagnostic = message.diagnostic;
    return diagnostic?.severity === "warning" ? `${label}: warning: ${diagnostic.summary}` : undefined;
  }
  if (!SHOWN.has(message.type)) return undefined;
  const text = message["@message"].replace(/^(data\.)?[A-Za-z0-9_]+\.r\d+(: )?/, "");
  if (message.type === "planned_change" && message.change?.reason) {
    return `${label}: ${text} (${message.change.reason.replace(/_/g, " ")})`;
  }
  return `${label}: ${text}`;
}
