// The workspace state file. NixOps4 persists only inputs and outputs, so a resource's Terraform state travels
// in its outputProperties: the attributes are the outputs themselves, and everything else the engine needs
// (schema version, provider-private data, sensitive paths, lineage) rides along under STATE_KEY.
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseExact, stringifyExact } from "../json/exact-json.js";
import type { JsonObject } from "../protocol/messages.js";
import { STATE_KEY, type ResourceMode } from "../../opentofu/wire/wire-contract.js";

export const STATE_FILE = "terraform.tfstate";

export interface StateRecord {
  /** Format of this record, for later migrations. */
  format: 1;
  mode: ResourceMode;
  type: string;
  providerAddress: string;
  providerVersion: string;
  lineage: string;
  serial: number;
  /** The state instance without its attributes: schema_version, private, sensitive_attributes, … */
  instance: JsonObject;
}

export interface ResourceState {
  record: StateRecord;
  attributes: JsonObject;
}

export class StateRecordError extends Error {}

/** Reads the state record back out of persisted outputProperties; undefined if there is none. */
export function stateFromOutputs(type: string, outputs: JsonObject | undefined | null): ResourceState | undefined {
  if (!outputs || !(STATE_KEY in outputs)) return undefined;
  const record = outputs[STATE_KEY] as StateRecord | null;
  if (!record || typeof record !== "object" || record.format !== 1 || typeof record.instance !== "object") {
    throw new StateRecordError(
      `${type}: outputProperties.${STATE_KEY} is not a state record written by this bridge; ` +
        "the resource's persisted state was altered or comes from another provider",
    );
  }
  const attributes: JsonObject = {};
  for (const [key, value] of Object.entries(outputs)) if (key !== STATE_KEY) attributes[key] = value;
  return { record, attributes };
}

export function outputsFromState(state: ResourceState): JsonObject {
  return { ...state.attributes, [STATE_KEY]: state.record };
}

function providerInState(address: string): string {
  return `provider["${address}"]`;
}

/** A state resource under its workspace-local name (one workspace may hold several resources). */
export interface NamedState {
  name: string;
  state: ResourceState;
}

export function stateFileDocument(states: NamedState[]): JsonObject {
  const first = states[0]?.state.record;
  return {
    version: 4,
    // Engines refuse state written by a newer version than themselves; 1.0.0 is older than every engine we run.
    terraform_version: "1.0.0",
    serial: Math.max(1, ...states.map((s) => s.state.record.serial)),
    lineage: states.length === 1 && first ? first.lineage : randomUUID(),
    outputs: {},
    resources: states.map(({ name, state }) => ({
      mode: state.record.mode,
      type: state.record.type,
      name,
      provider: providerInState(state.record.providerAddress),
      instances: [{ ...state.record.instance, attributes: state.attributes }],
    })),
    check_results: null,
  };
}

export async function writeStateFile(dir: string, states: NamedState[]): Promise<void> {
  await writeFile(join(dir, STATE_FILE), stringifyExact(stateFileDocument(states)), { mode: 0o600 });
}

/** One resource's state after an engine run; undefined when the state holds no instance (destroyed, never made). */
export async function readStateFile(
  dir: string,
  which: { mode: ResourceMode; type: string; name: string },
  provider: { address: string; version: string },
): Promise<ResourceState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const document = parseExact(text) as {
    lineage?: string;
    serial?: unknown; // a number, or a LosslessNumber past 2^53
    resources?: { mode: string; type: string; name: string; instances?: JsonObject[] }[];
  };
  const resource = (document.resources ?? []).find(
    (r) => r.mode === which.mode && r.type === which.type && r.name === which.name,
  );
  const instance = resource?.instances?.[0];
  if (!instance) return undefined;
  const { attributes, ...rest } = instance as { attributes?: JsonObject };
  return {
    record: {
      format: 1,
      mode: which.mode,
      type: which.type,
      providerAddress: provider.address,
      providerVersion: provider.version,
      lineage: document.lineage ?? randomUUID(),
      serial: Number(document.serial ?? 1),
      instance: rest,
    },
    attributes: attributes ?? {},
  };
}

/** The attribute paths a state instance marks sensitive, as keys: the state lists them as
 * [{type:"get_attr",value:"x"},{type:"index",value:{value:0,type:"number"}}]. */
export function sensitivePaths(state: ResourceState): string[][] {
  const paths = state.record.instance.sensitive_attributes;
  return (Array.isArray(paths) ? paths : [])
    .filter((path): path is { value?: unknown }[] => Array.isArray(path) && path.length > 0)
    .map((path) =>
      path.map((step) =>
        String(
          typeof step.value === "object" && step.value !== null
            ? (step.value as { value?: unknown }).value
            : step.value,
        ),
      ),
    );
}

/** A copy with every attribute value the state marks sensitive set to null. The engine's refresh reads such values
 * back from the API on the next operation (or the plan sets them again from the configuration). */
export function withoutSensitiveValues(state: ResourceState): ResourceState {
  const attributes = parseExact(stringifyExact(state.attributes)) as JsonObject;
  for (const steps of sensitivePaths(state)) {
    let parent: unknown = attributes;
    for (const step of steps.slice(0, -1)) {
      parent = parent !== null && typeof parent === "object" ? (parent as JsonObject)[step] : undefined;
    }
    if (parent !== null && typeof parent === "object") (parent as JsonObject)[steps[steps.length - 1]!] = null;
  }
  return { record: state.record, attributes };
}
