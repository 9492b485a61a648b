// Pruning of the schema-bearing responses the proxy serves. The AWS provider's full schema is ~13 MB and the
// engine decodes all of it on every command; a workspace of this project only uses a few types, so the proxy
// answers with the provider/provider_meta schemas plus the resource and data-source types leases registered.
import { filterFields, payloadsOf, stringOf, varintOf, type WireField } from "./protobuf-wire.js";
import { DIAGNOSTIC, IDENTITY_SCHEMAS_RESPONSE, MAP_ENTRY, SCHEMA_RESPONSE } from "./plugin-protocol.js";

/** The types leases have asked for so far. Only grows: an engine that already fetched a schema keeps its view. */
export class RegisteredTypes {
  readonly resources = new Set<string>();
  readonly dataSources = new Set<string>();
  /** Bumped on every addition so cached pruned responses know when to recompute. */
  generation = 0;

  register(resources: Iterable<string>, dataSources: Iterable<string>): void {
    for (const t of resources) this.add(this.resources, t);
    for (const t of dataSources) this.add(this.dataSources, t);
  }

  private add(set: Set<string>, type: string): void {
    if (set.has(type)) return;
    set.add(type);
    this.generation++;
  }
}

function mapEntryKeyIn(field: WireField, allowed: Set<string>): boolean {
  if (!field.payload) return false;
  const key = stringOf(field.payload, MAP_ENTRY.key);
  return key !== undefined && allowed.has(key);
}

const unusedSchemaMaps = new Set<number>(SCHEMA_RESPONSE.unusedSchemaMaps);

/** GetSchema / GetProviderSchema response → the same message with only registered resource/data-source types. */
export function pruneProviderSchema(full: Uint8Array, types: RegisteredTypes): Buffer {
  return filterFields(full, (field) => {
    if (field.fieldNumber === SCHEMA_RESPONSE.resourceSchemas) return mapEntryKeyIn(field, types.resources);
    if (field.fieldNumber === SCHEMA_RESPONSE.dataSourceSchemas) return mapEntryKeyIn(field, types.dataSources);
    return !unusedSchemaMaps.has(field.fieldNumber);
  });
}

/** GetResourceIdentitySchemas response → identity schemas of registered resource types only. */
export function pruneIdentitySchemas(full: Uint8Array, types: RegisteredTypes): Buffer {
  return filterFields(full, (field) =>
    field.fieldNumber === IDENTITY_SCHEMAS_RESPONSE.identitySchemas ? mapEntryKeyIn(field, types.resources) : true,
  );
}

/** Keys of a map<string, …> field, e.g. the resource types a schema response carries. */
export function mapKeys(message: Uint8Array, fieldNumber: number): string[] {
  return payloadsOf(message, fieldNumber)
    .map((entry) => stringOf(entry, MAP_ENTRY.key))
    .filter((k): k is string => k !== undefined);
}

/** True when a response's repeated Diagnostic field holds an error (so the call must not be cached as a success). */
export function hasErrorDiagnostic(response: Uint8Array, diagnosticsField: number): boolean {
  return payloadsOf(response, diagnosticsField).some(
    (diagnostic) => varintOf(diagnostic, DIAGNOSTIC.severity) === DIAGNOSTIC.severityError,
  );
}
