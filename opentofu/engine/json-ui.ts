// The engine's machine-readable UI (`-json`): one JSON object per stdout line. Only the fields the bridge reads.

export interface UiResource {
  addr: string;
  resource_type: string;
  resource_name: string;
}

export interface Diagnostic {
  severity: "error" | "warning";
  summary: string;
  detail?: string;
  address?: string;
  range?: { filename: string; start: { line: number; column: number } };
  snippet?: { context?: string | null; code?: string; start_line?: number };
}

export type PlannedAction = "noop" | "create" | "read" | "update" | "replace" | "delete" | "move" | "remove" | "import";

export interface UiMessage {
  "@level": string;
  "@message": string;
  type: string;
  diagnostic?: Diagnostic;
  hook?: { resource?: UiResource; action?: string; elapsed_seconds?: number; id_value?: string };
  change?: { resource: UiResource; action: PlannedAction; reason?: string };
  changes?: { add: number; change: number; remove: number; import?: number; operation: string };
}

export function parseUiLine(line: string): UiMessage | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const message = JSON.parse(line) as UiMessage;
    return typeof message.type === "string" ? message : undefined;
  } catch {
    return undefined;
  }
}
