// The NixOps4 resource protocol v0 messages the bridge speaks. The shapes are generated from the vendored schemas
// (schemas/nixops4: resource-schema-v0.json plus the proposed destroy and import requests) by the build step
// scripts/generate-protocol-types.mjs, so that a protocol change shows up here as a type error.
import type * as Protocol from "./generated/protocol.js";

export type JsonObject = { [key: string]: unknown };

export type ExtantResource = Protocol.ExtantResource;
export type CreateResourceRequest = Protocol.CreateResourceRequest;
export type UpdateResourceRequest = Protocol.UpdateResourceRequest;
export type DestroyResourceRequest = Protocol.DestroyResourceRequest;
export type ImportResourceRequest = Protocol.ImportResourceRequest;

/** A parsed request, tagged with what the bridge does for it. */
export type Request =
  | { kind: "create"; body: CreateResourceRequest }
  | { kind: "update"; body: UpdateResourceRequest }
  | { kind: "destroy"; body: DestroyResourceRequest }
  | { kind: "import"; body: ImportResourceRequest };

/** The responses a resource provider (not a state provider) sends. */
export type Response = Exclude<
  Protocol.Response,
  Protocol.StateResourceEventResponseEnvelope | Protocol.StateResourceReadResponseEnvelope
>;

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
