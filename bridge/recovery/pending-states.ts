// States kept after an operation failed or was interrupted once it had changed something. NixOps4 persists only
// what a successful response returns, so without this a bucket created by a failed apply would be forgotten while
// it lives on. Records live in the user's state directory (not a temp dir) under the resource's lineage: a
// retried create derives the same lineage from the same inputs, an update carries it in its persisted outputs,
// so the next operation on the same resource adopts the kept state instead of creating a duplicate.
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalHash } from "../json/canonical-json.js";
import { parseExact, stringifyExact } from "../json/exact-json.js";
import { withoutSensitiveValues, type ResourceState } from "../workspace/tfstate.js";

/** What the failed operation was and why it failed. */
export interface PendingInfo {
  lineage: string;
  type: string;
  mode: "managed" | "data";
  providerAddress: string;
  operation: string;
  reason: string;
}

export interface PendingRecord extends PendingInfo {
  savedAt: string;
  /** Attribute values the state marks sensitive are removed: the engine's refresh reads them back. Absent for a
   * failed create that left no state: the provider may still have made the object (e.g. a role created before a
   * policy attachment failed), so the retry first tries to import it. */
  state?: ResourceState;
}

/** A UUID-shaped lineage that is the same for the same provider, type and arguments. */
export function lineageFor(providerAddress: string, type: string, args: unknown): string {
  const hex = canonicalHash([providerAddress, type, args]);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function pendingDir(stateDir: string): string {
  return join(stateDir, "pending");
}

export async function savePending(stateDir: string, info: PendingInfo, state: ResourceState | undefined): Promise<string> {
  const dir = pendingDir(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const record: PendingRecord = {
    ...info,
    savedAt: new Date().toISOString(),
    ...(state ? { state: withoutSensitiveValues(state) } : {}),
  };
  const path = join(dir, `${info.lineage}.json`);
  const staging = `${path}.${process.pid}.tmp`;
  await writeFile(staging, stringifyExact(record, 2), { mode: 0o600 });
  await rename(staging, path);
  return path;
}

export async function readPending(stateDir: string, lineage: string): Promise<PendingRecord | undefined> {
  try {
    return parseExact(await readFile(join(pendingDir(stateDir), `${lineage}.json`), "utf8")) as PendingRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export async function clearPending(stateDir: string, lineage: string): Promise<void> {
  await rm(join(pendingDir(stateDir), `${lineage}.json`), { force: true });
}

export async function listPending(stateDir: string): Promise<PendingRecord[]> {
  let names: string[];
  try {
    names = await readdir(pendingDir(stateDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: PendingRecord[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const record = await readPending(stateDir, name.slice(0, -".json".length));
    if (record) records.push(record);
  }
  return records;
}
