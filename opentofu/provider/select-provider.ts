// Which provider of a `providers schema -json` document to generate, and under which source and version.
import { parseProviderRef, type ProviderRef } from "./provider-address.js";
import type { ProviderSchemaEntry, ProvidersSchemaDocument } from "./provider-schema.js";

export class ProviderSelectionError extends Error {}

const PUBLIC_REGISTRIES = new Set(["registry.terraform.io", "registry.opentofu.org"]);

/**
 * The document's entry for a provider. A source without a hostname matches whichever public registry the engine
 * used (terraform says registry.terraform.io, tofu registry.opentofu.org for the same `hashicorp/aws`).
 */
export function findProviderEntry(
  document: ProvidersSchemaDocument,
  ref: ProviderRef,
): { address: string; entry: ProviderSchemaEntry } | undefined {
  const schemas = document.provider_schemas ?? {};
  const exact = schemas[ref.address];
  if (exact) return { address: ref.address, entry: exact };
  if (ref.source.split("/").length === 3) return undefined;
  for (const [address, entry] of Object.entries(schemas)) {
    const [hostname, namespace, name] = address.toLowerCase().split("/");
    if (PUBLIC_REGISTRIES.has(hostname!) && namespace === ref.namespace && name === ref.name) return { address, entry };
  }
  return undefined;
}

export interface SelectedProvider {
  ref: ProviderRef;
  /** The key of the schema document. */
  address: string;
  entry: ProviderSchemaEntry;
}

/** `source` may be omitted when the document holds exactly one provider; the version can never be inferred. */
export function selectProvider(
  document: ProvidersSchemaDocument,
  wanted: { source?: string; version?: string },
): SelectedProvider {
  const addresses = Object.keys(document.provider_schemas ?? {});
  if (addresses.length === 0) throw new ProviderSelectionError("the schema document has no provider_schemas");
  let source = wanted.source;
  if (!source) {
    if (addresses.length !== 1) {
      throw new ProviderSelectionError(
        `the schema document has ${addresses.length} providers (${addresses.join(", ")}); choose one with --provider-source or --provider`,
      );
    }
    const [hostname, ...rest] = addresses[0]!.split("/");
    source = PUBLIC_REGISTRIES.has(hostname!.toLowerCase()) ? rest.join("/") : addresses[0]!;
  }
  if (!wanted.version) {
    throw new ProviderSelectionError(
      `the provider version cannot be read from a schema; give --provider-version or --provider ${source}@VERSION`,
    );
  }
  const ref = parseProviderRef(`${source}@${wanted.version}`);
  const found = findProviderEntry(document, ref);
  if (!found) {
    throw new ProviderSelectionError(
      `the schema document has no provider ${ref.address} (it has: ${addresses.join(", ")})`,
    );
  }
  return { ref, ...found };
}
