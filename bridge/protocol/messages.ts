// The NixOps4 resource protocol v0 messages the bridge speaks (field names are the wire's own).
// Shapes follow schemas/nixops4/resource-schema-v0.json plus the proposed destroy and import requests.

export type JsonObject = { [key: string]: unknown };

export interface ExtantResource {
  type: string;
  inputProperties: JsonObject;
  outputProperties?: JsonObject | null;
}

export interface CreateResourceRequest {
  type: string;
  inputProperties: JsonObject;
  isStateful: boolean;
}

export interface UpdateResourceRequest {
  resource: ExtantResource;
  inputProperties: JsonObject;
}

export interface DestroyResourceRequest {
  resource: ExtantResource;
}

export interface ImportResourceRequest {
  resource: ExtantResource;
}

export type Request =
  | { kind: "create"; body: CreateResourceRequest }
  | { kind: "update"; body: UpdateResourceRequest }
  | { kind: "destroy"; body: DestroyResourceRequest }
  | { kind: "import"; body: ImportResourceRequest };

export type Response =
  | { createResourceResponse: { outputProperties: JsonObject } }
  | { updateResourceResponse: { outputProperties: JsonObject } }
  | { destroyResourceResponse: Record<string, never> }
  | { importResourceResponse: { outputProperties: JsonObject } }
  | { errorResponse: { message: string } };

/** Everything the bridge can be asked to do; the protocol edge knows nothing about how. */
export interface ResourceHandler {
  create(request: CreateResourceRequest): Promise<JsonObject>;
  update(request: UpdateResourceRequest): Promise<JsonObject>;
  destroy(request: DestroyResourceRequest): Promise<void>;
  import(request: ImportResourceRequest): Promise<JsonObject>;
  /** After each response: whether it was written (false: the caller is gone), so that an outcome is forgotten only
   * once NixOps4 has it. */
  settle?(delivered: boolean): Promise<void>;
}
