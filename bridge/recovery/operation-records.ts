// The durable record of every resource operation in flight, and of outcomes NixOps4 has not received yet.
// NixOps4 persists only what a successful response returns, so without this a bucket made by an operation whose
// bridge was killed, or whose response never arrived, would be forgotten while it lives on.
//
// One record per resource (named by its identity, resource-identity.ts), written BEFORE the engine can change
// anything (phase "running", naming its owners: the bridge, and the provider host once the operation is handed
// to one), then given its outcome by whoever ran the engine (the bridge, or the host: one writer module for both),
// and removed only once the response carrying that outcome was written to NixOps4. A later operation on the same
// resource that finds a record continues from it (record-recovery.ts) instead of creating a duplicate.
// Records are 0600 in the user's state directory, hold no provider configuration, and no sensitive values.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseExact, stringifyExact } from "../json/exact-json.js";
import { isAlive, type ProcessIdentity } from "../machine/process-identity.js";
import { withoutSensitiveValues, type ResourceState } from "../workspace/tfstate.js";

export type OperationKind = "create" | "update" | "destroy" | "import";

export interface RecordOutcome {
  /** "interrupted": the bridge was stopped by a signal; the engine finished its in-flight calls first. */
  result: "succeeded" | "failed" | "interrupted";
  /** Whether the cloud may have changed: false when the engine changed nothing, "unknown" when nobody can tell. */
  changed: boolean | "unknown";
  /** The resulting state (sensitive values removed); absent when there is none (destroyed, or a failed create). */
  state?: ResourceState;
  /** What happened, first line first (redacted by the writer). */
  reason: string;
  at: string;
}

export interface OperationRecord {
  /** The resource identity (file name). */
  id: string;
  /** NixOps4's member path, when the caller sent it. */
  member?: string[];
  /** The Terraform lineage of this resource's state. */
  lineage: string;
  type: string;
  mode: "managed" | "data";
  providerAddress: string;
  operation: OperationKind;
  /** Hash of the Terraform arguments the operation ran with: a create of the same member with other inputs may
   * be another deployment's resource at the same member path. */
  inputsHash: string;
  /** Per operation: writers check it, so that nobody files an outcome under a record another operation owns. */
  token: string;
  /** "answered": a create whose response was written; kept for a while as a receipt, because NixOps4 asking for
   * the same create again means it did not keep that answer (record-recovery.ts, RECEIPT_MS). */
  phase: "running" | "finished" | "answered";
  /** Hash of the provider configuration, for receipts only: a receipt answers the same create, under the same
   * provider configuration, again. */
  configHash?: string;
  startedAt: string;
  bridge: ProcessIdentity;
  /** The provider host the operation was handed to, and whether it took it. */
  host?: ProcessIdentity & { accepted?: boolean };
  /** "none" until just before the operation is handed to an engine run (this bridge's own, or a host's): an owner
   * that stopped at "none" stopped before any engine could change anything. Absent in records of older bridges. */
  handedOver?: "none" | "local" | "host";
  /** "not yet" while the engine has only planned (planning changes nothing); written by whoever runs the engine
   * just before the command that can change something starts: the actions its plan has for this resource
   * (`[]` for none, `["update"]`, `["replace"]`, …; `["create"]` for a plain create, planned and applied by one
   * command). What a retry may safely run again depends on it (record-recovery.ts). Absent in records of older
   * bridges. */
  applying?: "not yet" | { actions: string[]; at: string };
  outcome?: RecordOutcome;
  /** What the record said before this operation took it over (an adopted state, an unknown outcome): restored
   * if this operation changes nothing, so that it is not lost. */
  previous?: RecordOutcome;
}

/** Where a writer other than the record's creator (the host) files what it learns. */
export interface RecordTarget {
  stateDir: string;
  id: string;
  token: string;
}

export function recordsDir(stateDir: string): string {
  return join(stateDir, "pending");
}

export function recordPath(stateDir: string, id: string): string {
  return join(recordsDir(stateDir), `${id}.json`);
}

export function newToken(): string {
  return randomBytes(12).toString("hex");
}

export async function writeRecord(stateDir: string, record: OperationRecord): Promise<string> {
  await mkdir(recordsDir(stateDir), { recursive: true, mode: 0o700 });
  const clean = (outcome: RecordOutcome | undefined) =>
    outcome?.state ? { ...outcome, state: withoutSensitiveValues(outcome.state) } : outcome;
  const stored: OperationRecord = { ...record, outcome: clean(record.outcome), previous: clean(record.previous) };
  const path = recordPath(stateDir, record.id);
  const staging = `${path}.${process.pid}.${newToken()}.tmp`;
  await writeFile(staging, stringifyExact(stored, 2), { mode: 0o600 });
  await rename(staging, path);
  return path;
}

/** Records written before operations were recorded while running: kept states of failed operations. */
interface LegacyRecord {
  lineage: string;
  type: string;
  mode: "managed" | "data";
  providerAddress: string;
  operation: string;
  reason: string;
  savedAt: string;
  state?: ResourceState;
}

function upgrade(id: string, raw: OperationRecord | LegacyRecord): OperationRecord {
  if ("phase" in raw) return raw;
  return {
    id,
    lineage: raw.lineage,
    type: raw.type,
    mode: raw.mode,
    providerAddress: raw.providerAddress,
    operation: raw.operation as OperationKind,
    inputsHash: "",
    token: "",
    phase: "finished",
    startedAt: raw.savedAt,
    bridge: { pid: 0 },
    outcome: { result: "failed", changed: true, state: raw.state, reason: raw.reason, at: raw.savedAt },
  };
}

export async function readRecord(stateDir: string, id: string): Promise<OperationRecord | undefined> {
  try {
    return upgrade(id, parseExact(await readFile(recordPath(stateDir, id), "utf8")) as OperationRecord | LegacyRecord);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Changes the record only while it is still the operation's own (same token); false when it is not. */
export async function updateRecord(target: RecordTarget, change: (record: OperationRecord) => void): Promise<boolean> {
  const record = await readRecord(target.stateDir, target.id);
  if (!record || record.token !== target.token) return false;
  change(record);
  await writeRecord(target.stateDir, record);
  return true;
}

export function recordOutcome(target: RecordTarget, outcome: Omit<RecordOutcome, "at">): Promise<boolean> {
  return updateRecord(target, (record) => {
    record.phase = "finished";
    record.outcome = { ...outcome, at: new Date().toISOString() };
  });
}

/** Says, before the engine command that can change something starts, what the plan has for this resource. */
export function recordApplying(target: RecordTarget, actions: string[]): Promise<boolean> {
  return updateRecord(target, (record) => {
    record.applying = { actions, at: new Date().toISOString() };
  });
}

/** Removes the record; with a token, only while it is that operation's. */
export async function removeRecord(stateDir: string, id: string, token?: string): Promise<void> {
  if (token !== undefined) {
    const record = await readRecord(stateDir, id);
    if (!record || record.token !== token) return;
  }
  await rm(recordPath(stateDir, id), { force: true });
}

/** Every record but receipts of answered creates (those are not pending: NixOps4 had the answer). */
export async function listRecords(stateDir: string): Promise<OperationRecord[]> {
  let names: string[];
  try {
    names = await readdir(recordsDir(stateDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records: OperationRecord[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const record = await readRecord(stateDir, name.slice(0, -".json".length));
    if (record && record.phase !== "answered") records.push(record);
  }
  return records;
}

/** Which of the record's owners still run: the bridge, or the host that took the operation. */
export function liveOwners(record: OperationRecord, alive: (identity: ProcessIdentity) => boolean = isAlive): string[] {
  const owners: string[] = [];
  if (record.bridge.pid > 0 && alive(record.bridge)) owners.push(`bridge pid ${record.bridge.pid}`);
  if (record.host && alive(record.host)) owners.push(`provider host pid ${record.host.pid}`);
  return owners;
}

/** One line for `pending list` and error messages. */
export function describeRecord(record: OperationRecord): string {
  const object = record.outcome?.state
    ? ` ${String((record.outcome.state.attributes.id as string | number | undefined) ?? "")}`
    : "";
  const what =
    record.phase === "running" ? "running" : `${record.outcome!.result}: ${record.outcome!.reason.split("\n")[0]}`;
  return `${record.type}${object}, ${record.operation} of ${record.member ? record.member.join(".") : "(no member path)"} started ${record.startedAt}: ${what}`;
}

/** Removes receipts of answered creates last written more than `maxAgeMs` ago (they no longer answer anything). */
/** How often pruneReceipts looks at the records dir when called with `everyMs`. Every operation of a deployment
 * leaves a receipt for an hour, so reading them all in each of 500 bridges started at once was quadratic. */
export const PRUNE_EVERY_MS = 5 * 60 * 1000;

/** Removes receipts older than `maxAgeMs`. With `everyMs`, only if no call did within that long (a stamp file in
 * the records dir says when one last did): then one stat is the whole cost. */
export async function pruneReceipts(
  stateDir: string,
  maxAgeMs: number,
  now = Date.now(),
  everyMs?: number,
): Promise<number> {
  if (everyMs !== undefined) {
    const stamp = join(recordsDir(stateDir), ".pruned");
    try {
      if (now - (await stat(stamp)).mtimeMs < everyMs) return 0;
    } catch {
      // never pruned here (or the dir is missing: readdir below says so)
    }
    try {
      await writeFile(stamp, "", { mode: 0o600 });
      const at = new Date(now);
      await utimes(stamp, at, at);
    } catch {
      return 0;
    }
  }
  let names: string[];
  try {
    names = await readdir(recordsDir(stateDir));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const path = join(recordsDir(stateDir), name);
    try {
      if (now - (await stat(path)).mtimeMs < maxAgeMs) continue;
      const record = await readRecord(stateDir, name.slice(0, -".json".length));
      if (record?.phase !== "answered") continue;
      await removeRecord(stateDir, record.id, record.token);
      removed++;
    } catch {
      // written or removed meanwhile
    }
  }
  return removed;
}
