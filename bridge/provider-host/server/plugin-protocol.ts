// The parts of the Terraform plugin protocol (tfplugin5 / tfplugin6, as served by go-plugin) that the proxy needs:
// service and method names with their streaming kinds, and the handful of field numbers it inspects. Numbers are
// taken from the public protocol definitions (docs/plugin-protocol/tfplugin5.proto and tfplugin6.proto).

export type StreamKind = "unary" | "server-stream" | "client-stream" | "bidi";

export interface MethodSpec {
  name: string;
  kind: StreamKind;
}

export interface ProtocolSpec {
  version: 5 | 6;
  service: string;
  methods: MethodSpec[];
  /** Returns the whole provider schema (GetSchema in 5, GetProviderSchema in 6). */
  schemaMethod: string;
  /** Configures the provider's client (Configure in 5, ConfigureProvider in 6). */
  configureMethod: string;
  /** Validates the provider configuration (PrepareProviderConfig in 5, ValidateProviderConfig in 6). */
  validateConfigMethod: string;
  /** Its response's repeated Diagnostic field (2 in 5, after prepared_config; 1 in 6). */
  validateConfigDiagnostics: number;
  /** Cancels everything the provider is doing (Stop in 5, StopProvider in 6). */
  stopMethod: string;
}

const unary = (name: string): MethodSpec => ({ name, kind: "unary" });
const serverStream = (name: string): MethodSpec => ({ name, kind: "server-stream" });
const clientStream = (name: string): MethodSpec => ({ name, kind: "client-stream" });

// Methods every protocol minor version up to 5.10 / 6.10 defines; the proxy answers UNIMPLEMENTED for others.
const SHARED_METHODS: MethodSpec[] = [
  unary("GetMetadata"),
  unary("UpgradeResourceState"),
  unary("GetResourceIdentitySchemas"),
  unary("UpgradeResourceIdentity"),
  unary("ReadResource"),
  unary("PlanResourceChange"),
  unary("ApplyResourceChange"),
  unary("ImportResourceState"),
  unary("MoveResourceState"),
  unary("ReadDataSource"),
  unary("GenerateResourceConfig"),
  unary("ValidateEphemeralResourceConfig"),
  unary("OpenEphemeralResource"),
  unary("RenewEphemeralResource"),
  unary("CloseEphemeralResource"),
  serverStream("ListResource"),
  unary("ValidateListResourceConfig"),
  unary("GetFunctions"),
  unary("CallFunction"),
  unary("PlanAction"),
  serverStream("InvokeAction"),
  unary("ValidateActionConfig"),
];

export const TFPLUGIN5: ProtocolSpec = {
  version: 5,
  service: "tfplugin5.Provider",
  schemaMethod: "GetSchema",
  configureMethod: "Configure",
  validateConfigMethod: "PrepareProviderConfig",
  validateConfigDiagnostics: 2,
  stopMethod: "Stop",
  methods: [
    unary("GetSchema"),
    unary("PrepareProviderConfig"),
    unary("ValidateResourceTypeConfig"),
    unary("ValidateDataSourceConfig"),
    unary("Configure"),
    unary("Stop"),
    ...SHARED_METHODS,
  ],
};

export const TFPLUGIN6: ProtocolSpec = {
  version: 6,
  service: "tfplugin6.Provider",
  schemaMethod: "GetProviderSchema",
  configureMethod: "ConfigureProvider",
  validateConfigMethod: "ValidateProviderConfig",
  validateConfigDiagnostics: 1,
  stopMethod: "StopProvider",
  methods: [
    unary("GetProviderSchema"),
    unary("ValidateProviderConfig"),
    unary("ValidateResourceConfig"),
    unary("ValidateDataResourceConfig"),
    unary("ConfigureProvider"),
    unary("StopProvider"),
    unary("ValidateStateStoreConfig"),
    unary("ConfigureStateStore"),
    serverStream("ReadStateBytes"),
    clientStream("WriteStateBytes"),
    unary("GetStates"),
    unary("DeleteState"),
    ...SHARED_METHODS,
  ],
};

export function protocolSpec(version: number): ProtocolSpec | undefined {
  if (version === 5) return TFPLUGIN5;
  if (version === 6) return TFPLUGIN6;
  return undefined;
}

/** GetProviderSchema.Response (same numbers in 5 and 6). */
export const SCHEMA_RESPONSE = {
  provider: 1,
  resourceSchemas: 2,
  dataSourceSchemas: 3,
  diagnostics: 4,
  providerMeta: 5,
  serverCapabilities: 6,
  functions: 7,
  /** Maps of schemas for kinds a workspace of this project never uses: ephemeral resources (8), list resources
   * (9), actions (10 in 5; state stores 10 and actions 11 in 6). */
  unusedSchemaMaps: [8, 9, 10, 11],
} as const;

/** GetResourceIdentitySchemas.Response: map<string, ResourceIdentitySchema> identity_schemas = 1. */
export const IDENTITY_SCHEMAS_RESPONSE = { identitySchemas: 1 } as const;

/** PrepareProviderConfig / ValidateProviderConfig.Request: DynamicValue config = 1. */
export const VALIDATE_CONFIG_REQUEST = { config: 1 } as const;
/** DynamicValue: bytes msgpack = 1, bytes json = 2. */
export const DYNAMIC_VALUE = { msgpack: 1, json: 2 } as const;

/** Configure(Provider).Request: terraform_version = 1, config = 2, client_capabilities = 3. */
export const CONFIGURE_REQUEST = { terraformVersion: 1, config: 2, clientCapabilities: 3 } as const;
/** Configure(Provider).Response: repeated Diagnostic diagnostics = 1. */
export const CONFIGURE_RESPONSE = { diagnostics: 1 } as const;
/** Diagnostic: Severity severity = 1 (ERROR = 1). */
export const DIAGNOSTIC = { severity: 1, severityError: 1 } as const;

/** Map entries on the wire: key = 1, value = 2. */
export const MAP_ENTRY = { key: 1, value: 2 } as const;

// go-plugin's own services on the same connection.
export const GO_PLUGIN = {
  stdio: { service: "plugin.GRPCStdio", method: "StreamStdio" },
  controller: { service: "plugin.GRPCController", method: "Shutdown" },
  broker: { service: "plugin.GRPCBroker", method: "StartStream" },
  health: { service: "grpc.health.v1.Health", method: "Check" },
  /** grpc.health.v1.HealthCheckResponse: ServingStatus status = 1, SERVING = 1. */
  healthServing: { field: 1, value: 1 },
} as const;
