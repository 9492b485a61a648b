// Synthesises the one-resource workspace configuration, main.tf.json.
import type { ProviderRef } from "../engine/provider-address.js";
import { literalValue } from "./terraform-json.js";

/** The name every synthesised resource gets: one resource per workspace, so its address is `<type>.this`. */
export const RESOURCE_NAME = "this";

export interface Lifecycle {
  prevent_destroy?: boolean;
  create_before_destroy?: boolean;
  ignore_changes?: string[];
}

export interface WorkspaceResource {
  mode: "managed" | "data";
  type: string;
  /** Terraform arguments, nulls already removed. */
  args: Record<string, unknown>;
  lifecycle?: Lifecycle;
  /** Adopt the existing object with this import ID (managed resources only). */
  importId?: string;
}

export function resourceAddress(resource: { mode: "managed" | "data"; type: string }): string {
  return `${resource.mode === "data" ? "data." : ""}${resource.type}.${RESOURCE_NAME}`;
}

export function mainTfJson(
  provider: ProviderRef,
  providerConfig: Record<string, unknown>,
  resource: WorkspaceResource | undefined,
): Record<string, unknown> {
  const requirement = { source: provider.address, version: provider.version };
  const config: Record<string, unknown> = {
    terraform: { required_providers: { [provider.name]: requirement } },
    provider: { [provider.name]: literalValue(providerConfig) },
  };
  if (!resource) return config;
  const body: Record<string, unknown> = {
    ...(literalValue(resource.args) as Record<string, unknown>),
    // Explicit, because a resource type's prefix need not match the provider's local name.
    provider: provider.name,
  };
  if (resource.lifecycle && Object.keys(resource.lifecycle).length > 0) body.lifecycle = resource.lifecycle;
  config[resource.mode === "data" ? "data" : "resource"] = { [resource.type]: { [RESOURCE_NAME]: body } };
  if (resource.importId !== undefined) {
    config.import = [{ to: resourceAddress(resource), id: literalValue(resource.importId) }];
  }
  return config;
}
