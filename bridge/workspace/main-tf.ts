// Synthesises a workspace configuration, main.tf.json: one provider configuration and the resources of the
// operations that share it (r0, r1, …; a batch holds several), or none.
import type { ProviderRef } from "../../opentofu/provider/provider-address.js";
import { DATA_WIRE_PREFIX, type Lifecycle, type ResourceMode } from "../../opentofu/wire/wire-contract.js";
import { literalValue } from "./terraform-json.js";

/** The name of a resource kept for manual recovery (`nixops4-opentofu pending tfstate`): `<type>.this`. */
export const RESOURCE_NAME = "this";

/** Workspace-local names: the resources of one workspace are r0, r1, … */
export function resourceName(index: number): string {
  return `r${index}`;
}

export interface WorkspaceResource {
  mode: ResourceMode;
  type: string;
  /** Terraform arguments, nulls already removed. */
  args: Record<string, unknown>;
  lifecycle?: Lifecycle;
  /** Adopt the existing object with this import ID (managed resources only). */
  importId?: string;
}

export function resourceAddress(resource: { mode: ResourceMode; type: string }, name: string): string {
  // Terraform addresses data sources as data.TYPE.NAME, the same prefix as the wire type.
  return `${resource.mode === "data" ? DATA_WIRE_PREFIX : ""}${resource.type}.${name}`;
}

export interface NamedResource {
  name: string;
  resource: WorkspaceResource;
}

/** The configuration of a workspace holding `resources` (none: only the provider, e.g. to destroy). The provider
 * block may reference `variables` (VariableReference values: its credentials, provider-credentials.ts). */
export function mainTfJson(
  provider: ProviderRef,
  providerConfig: Record<string, unknown>,
  resources: NamedResource[],
  variables: Record<string, unknown> = {},
): Record<string, unknown> {
  const requirement = { source: provider.address, version: provider.version };
  const config: Record<string, unknown> = {
    terraform: { required_providers: { [provider.name]: requirement } },
    ...(Object.keys(variables).length > 0 ? { variable: variables } : {}),
    provider: { [provider.name]: literalValue(providerConfig) },
  };
  const imports: unknown[] = [];
  for (const { name, resource } of resources) {
    const body: Record<string, unknown> = {
      ...(literalValue(resource.args) as Record<string, unknown>),
      // Explicit, because a resource type's prefix need not match the provider's local name.
      provider: provider.name,
    };
    if (resource.lifecycle && Object.keys(resource.lifecycle).length > 0) body.lifecycle = resource.lifecycle;
    const block = (config[resource.mode === "data" ? "data" : "resource"] ??= {}) as Record<
      string,
      Record<string, unknown>
    >;
    (block[resource.type] ??= {})[name] = body;
    if (resource.importId !== undefined) {
      imports.push({ to: resourceAddress(resource, name), id: literalValue(resource.importId) });
    }
  }
  if (imports.length > 0) config.import = imports;
  return config;
}
