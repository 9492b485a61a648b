// Provider credentials stay out of the workspace's files: each credential string of the provider configuration
// becomes a reference to an ephemeral input variable (Terraform >= 1.10, OpenTofu >= 1.11), whose value the engine
// gets through its environment (TF_VAR_<name>) on every command. Ephemeral variables may configure providers and
// are never written to a saved plan or to state, so main.tf.json, tfplan and terraform.tfstate hold only the
// reference. A string-typed variable set from the environment is taken literally, so the value reaches the
// provider byte for byte, "${" and all. What counts as a credential is decided by the caller (the provider
// schema's sensitive flags and the credential names, secrets/sensitive-values.ts), as the paths given here.
import { VariableReference } from "./terraform-json.js";

/** A path into the provider configuration: object keys and list indexes. */
export type ConfigPath = (string | number)[];

export interface SplitProviderConfig {
  /** The provider block, each credential string replaced by a VariableReference. */
  config: Record<string, unknown>;
  /** The variables it references, in order, with their values. */
  variables: { name: string; value: string }[];
}

/** The variable names are ours alone: the engine's environment holds no other TF_VAR_ (run-engine.ts drops them). */
export const CREDENTIAL_VARIABLE_PREFIX = "nixops4_credential_";

/** Replaces every string at or under one of `paths` by a variable reference. Other values under a path (numbers,
 * booleans) stay inline: no credential is one. */
export function splitProviderConfig(config: Record<string, unknown>, paths: ConfigPath[]): SplitProviderConfig {
  const variables: SplitProviderConfig["variables"] = [];
  const hide = (value: unknown): unknown => {
    if (typeof value === "string") {
      const name = `${CREDENTIAL_VARIABLE_PREFIX}${variables.length}`;
      variables.push({ name, value });
      return new VariableReference(name);
    }
    if (Array.isArray(value)) return value.map(hide);
    if (value !== null && typeof value === "object" && value.constructor === Object) {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, hide(inner)]));
    }
    return value;
  };
  const replace = (value: unknown, path: ConfigPath): unknown => {
    if (value instanceof VariableReference) return value;
    if (path.length === 0) return hide(value);
    const [step, ...rest] = path;
    if (Array.isArray(value) && typeof step === "number" && step < value.length) {
      return (value as unknown[]).map((item, i) => (i === step ? replace(item, rest) : item));
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value) && typeof step === "string") {
      const object = value as Record<string, unknown>;
      if (!(step in object)) return value;
      return { ...object, [step]: replace(object[step], rest) };
    }
    return value;
  };
  let out: unknown = config;
  for (const path of paths) out = replace(out, path);
  return { config: out as Record<string, unknown>, variables };
}

/** The `variable` blocks of main.tf.json for them. */
export function credentialVariableBlocks(variables: SplitProviderConfig["variables"]): Record<string, unknown> {
  return Object.fromEntries(
    variables.map(({ name }) => [name, { type: "string", ephemeral: true, sensitive: true, nullable: false }]),
  );
}

/** The engine's environment that sets them: only ever passed to the engine process, never to a file or argv. */
export function credentialVariableEnv(variables: SplitProviderConfig["variables"]): Record<string, string> {
  return Object.fromEntries(variables.map(({ name, value }) => [`TF_VAR_${name}`, value]));
}
