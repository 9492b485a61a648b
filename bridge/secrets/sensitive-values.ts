// Finds the values that must never be printed: attributes the provider schema marks sensitive (in inputs and in
// state), provider settings that hold credentials, and credentials in the environment.
import type { SchemaBlock } from "../../opentofu/provider/provider-schema.js";
import { sensitivePaths, type ResourceState } from "../workspace/tfstate.js";
import type { Redactor } from "./redactor.js";

// Provider schemas rarely mark credentials sensitive (the AWS provider marks neither access_key nor secret_key).
const CREDENTIAL_NAME =
  /(secret|token|password|passwd|passphrase|credential|private|api_?key|access_?key|auth|session|certificate|cert_?pem|key_?pem|signature)/i;
const CREDENTIAL_ENV = /(SECRET|TOKEN|PASSWORD|PASSPHRASE|CREDENTIAL|ACCESS_KEY|PRIVATE_KEY|API_KEY|SESSION)/;

/** Adds every value under a sensitive attribute of `block` found in `value`. */
export function addSensitiveByBlock(redactor: Redactor, block: SchemaBlock | undefined, value: unknown): void {
  if (!block || value === null || typeof value !== "object" || Array.isArray(value)) return;
  const object = value as Record<string, unknown>;
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    if (!(name in object)) continue;
    if (attribute.sensitive || attribute.write_only) redactor.add(object[name]);
    else if (attribute.nested_type) {
      const nested = { attributes: attribute.nested_type.attributes };
      for (const item of itemsOf(object[name])) addSensitiveByBlock(redactor, nested, item);
    }
  }
  for (const [name, blockType] of Object.entries(block.block_types ?? {})) {
    for (const item of itemsOf(object[name])) addSensitiveByBlock(redactor, blockType.block, item);
  }
}

function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === "object") {
    // single/group blocks are one object; map blocks are an object of objects. Walking both is harmless.
    return [value, ...Object.values(value as Record<string, unknown>)];
  }
  return [];
}

/** A path into a value: object keys and list indexes. */
export type ValuePath = (string | number)[];

/** Where the provider configuration holds credentials: under attributes the provider schema marks sensitive or
 * write-only, and under any key whose name says it is a credential (the outermost such path; the value there may
 * be a string, a list or an object). The redactor and the workspace (which passes them through ephemeral
 * variables, workspace/provider-credentials.ts) use the same answer. */
export function providerCredentialPaths(block: SchemaBlock | undefined, config: unknown): ValuePath[] {
  const paths: ValuePath[] = [];
  const walk = (value: unknown, path: ValuePath, schema: SchemaBlock | undefined) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, i], schema));
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const attribute = schema?.attributes?.[key];
      if (attribute?.sensitive || attribute?.write_only || CREDENTIAL_NAME.test(key)) {
        paths.push([...path, key]);
        continue;
      }
      if (attribute?.nested_type) {
        const nested = { attributes: attribute.nested_type.attributes };
        // single and list/set nesting hold the object or a list of them; map nesting an object of them
        if (attribute.nested_type.nesting_mode === "map") walkEach(inner, [...path, key], nested);
        else walk(inner, [...path, key], nested);
        continue;
      }
      const blockType = schema?.block_types?.[key];
      if (blockType?.nesting_mode === "map") walkEach(inner, [...path, key], blockType.block);
      else walk(inner, [...path, key], blockType?.block);
    }
  };
  const walkEach = (value: unknown, path: ValuePath, schema: SchemaBlock) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      walk(value, path, schema);
      return;
    }
    for (const [label, item] of Object.entries(value as Record<string, unknown>)) {
      walk(item, [...path, label], schema);
    }
  };
  walk(config, [], block);
  return paths;
}

/** The value at `path` inside `value` (undefined where there is none). */
export function valueAtPath(value: unknown, path: ValuePath): unknown {
  let at = value;
  for (const step of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}

/** Provider configuration: schema-sensitive attributes plus anything whose name says it is a credential. */
export function addProviderCredentials(redactor: Redactor, block: SchemaBlock | undefined, config: unknown): void {
  for (const path of providerCredentialPaths(block, config)) redactor.add(valueAtPath(config, path));
}

export function addEnvironmentCredentials(redactor: Redactor, env: NodeJS.ProcessEnv): void {
  for (const [key, value] of Object.entries(env)) if (CREDENTIAL_ENV.test(key)) redactor.add(value);
}

/** Every value the resulting state marks sensitive. */
export function addSensitiveOfState(redactor: Redactor, state: ResourceState): void {
  for (const steps of sensitivePaths(state)) {
    let value: unknown = state.attributes;
    for (const step of steps) {
      if (value === null || typeof value !== "object") break;
      value = (value as Record<string, unknown>)[step];
    }
    redactor.add(value);
  }
}
