// The object at the state key: the current document, the index of the last event, and the events the write that
// made it committed. That one conditional write is the commit point of an event; the history objects are written
// after it, and whoever reads a snapshot whose events are missing from the history writes them (a crash between
// the two writes loses nothing).
import { parseExact } from "../bridge/json/exact-json.js";
import type { JsonObject } from "../bridge/protocol/messages.js";
import type { StateEvent } from "./state-document.js";

export const SNAPSHOT_TYPE = "nixops4StateS3Snapshot";

export interface Snapshot {
  _type: typeof SNAPSHOT_TYPE;
  index: number;
  state: JsonObject;
  events: StateEvent[];
}

export class SnapshotError extends Error {}

export function parseSnapshot(text: string, where: string): Snapshot {
  let value: unknown;
  try {
    value = parseExact(text);
  } catch (error) {
    throw new SnapshotError(
      `${where} is not valid JSON (${(error as Error).message}); it is not a state this provider wrote`,
    );
  }
  const v = value as Partial<Snapshot> | null;
  if (
    v === null ||
    typeof v !== "object" ||
    v._type !== SNAPSHOT_TYPE ||
    typeof v.index !== "number" ||
    v.state === null ||
    typeof v.state !== "object" ||
    !Array.isArray(v.events)
  ) {
    throw new SnapshotError(
      `${where} is not a state snapshot of nixops4-state-s3 (expected "_type": "${SNAPSHOT_TYPE}", index, state, events)`,
    );
  }
  if (v.events.some((e) => typeof e?.index !== "number" || e.index > v.index!)) {
    throw new SnapshotError(`${where} lists an event beyond its own index ${v.index}`);
  }
  return v as Snapshot;
}
