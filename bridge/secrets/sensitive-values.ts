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

/** Provider configuration: schema-sensitive attributes plus anything whose name says it is a credential. */
export function addProviderCredentials(redactor: Redactor, block: SchemaBlock | undefined, config: unknown): void {
  addSensitiveByBlock(redactor, block, config);
  const walk = (value: unknown, name: string) => {
    if (typeof value === "string") {
      if (CREDENTIAL_NAME.test(name)) redactor.add(value);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, name));
    else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) walk(inner, CREDENTIAL_NAME.test(name) ? name : key);
    }
  };
  walk(config, "");
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
