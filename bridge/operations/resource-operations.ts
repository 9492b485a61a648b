// The NixOps4 operations in Terraform terms. create: plan + apply on an empty (or kept) state; update: the same
// on the state carried in the previous outputs; destroy: the engine
// plans its deletion (plan -destroy); import: an import block on create. Data sources are read on every create and update.
import { join } from "node:path";
import { parseExact, stringifyExact } from "../json/exact-json.js";
import type {
  CreateResourceRequest,
  DestroyResourceRequest,
  ImportResourceRequest,
  JsonObject,
  ResourceHandler,
  UpdateResourceRequest,
} from "../protocol/messages.js";
import { guessImportId } from "../recovery/import-guess.js";
import { lineageFor, readPending } from "../recovery/pending-states.js";
import { prepareInputs, type PreparedResource } from "../requests/prepare-inputs.js";
import { parseWireType } from "../../opentofu/wire/wire-contract.js";
import { InputValidator } from "../requests/validate-inputs.js";
import type { ProviderTypes } from "../schema/provider-types.js";
import { Redactor } from "../secrets/redactor.js";
import { addEnvironmentCredentials } from "../secrets/sensitive-values.js";
import { outputsFromState, stateFromOutputs, withoutSensitiveValues, type ResourceState } from "../workspace/tfstate.js";
import type { BridgeOptions } from "../options.js";
import type { ProviderConnection } from "./provider-attachment.js";
import { runWorkspace, type WorkspaceAction } from "./workspace-run.js";

export class OperationError extends Error {}

interface Adoption {
  prior: ResourceState | undefined;
  /** Set when an earlier create failed without leaving state: what happened then. */
  retryOf?: string;
}

export interface OperationContext {
  options: BridgeOptions;
  engine: string;
  types: () => Promise<ProviderTypes>;
  log: (line: string) => void;
  connect: (prepared: PreparedResource) => Promise<ProviderConnection>;
}

export class OpenTofuResources implements ResourceHandler {
  private readonly validator: InputValidator;

  constructor(private readonly context: OperationContext) {
    const { cacheDir, provider } = context.options;
    this.validator = new InputValidator(join(cacheDir, "validators", provider.address, provider.version));
  }

  /** A redactor per operation, seeded with credentials from the environment. */
  private redactor(): Redactor {
    const redactor = new Redactor();
    addEnvironmentCredentials(redactor, process.env);
    return redactor;
  }

  private async prepare(wireType: string, inputs: JsonObject, redactor: Redactor): Promise<PreparedResource> {
    return prepareInputs(wireType, inputs, await this.context.types(), this.validator, redactor);
  }

  private async run(
    prepared: PreparedResource,
    redactor: Redactor,
    action: WorkspaceAction,
    operation: string,
    lineage: string,
    prior: ResourceState | undefined,
    importIsGuess = false,
  ): Promise<ResourceState | undefined> {
    const { options, engine, log } = this.context;
    const result = await runWorkspace({
      label: prepared.label,
      engine,
      provider: options.provider,
      providerConfig: prepared.providerConfig,
      resource: prepared.resource,
      prior,
      lineage,
      action,
      operation,
      importIsGuess,
      pluginDir: options.pluginDir,
      stateDir: options.stateDir,
      redactor,
      log,
      connect: () => this.context.connect(prepared),
    });
    return result.state;
  }

  /** A state kept by an earlier failed operation on the same resource replaces what the caller knows, unless the
   * caller's is newer. */
  private async adoptPending(label: string, lineage: string, known: ResourceState | undefined): Promise<Adoption> {
    const pending = await readPending(this.context.options.stateDir, lineage);
    if (!pending) return { prior: known };
    const why = `${pending.operation} at ${pending.savedAt}: ${pending.reason.split("\n")[0]}`;
    if (!pending.state) {
      return known ? { prior: known } : { prior: undefined, retryOf: why };
    }
    if (known && known.record.serial > pending.state.record.serial) return { prior: known };
    this.context.log(`${label}: adopting the state kept after an earlier ${why}`);
    return { prior: pending.state };
  }

  private outputs(label: string, state: ResourceState | undefined): JsonObject {
    if (!state) throw new OperationError(`${label}: the engine reported success but the state holds no object`);
    const returned = this.context.options.sensitiveOutputs === "omit" ? withoutSensitiveValues(state) : state;
    // Outputs go through exact JSON once more so that what NixOps4 stores is plain data.
    return parseExact(stringifyExact(outputsFromState(returned))) as JsonObject;
  }

  async create(request: CreateResourceRequest): Promise<JsonObject> {
    const redactor = this.redactor();
    const prepared = await this.prepare(request.type, request.inputProperties, redactor);
    const { label, resource } = prepared;
    if (resource.mode === "data") {
      return this.outputs(label, await this.run(prepared, redactor, "read", "create", lineageFor("data", label, resource.args), undefined));
    }
    if (!request.isStateful) {
      throw new OperationError(
        `${label} resources require state (isStateful must be true): a managed Terraform resource must persist its ` +
          "state between operations; set `state` on this member in your NixOps4 configuration",
      );
    }
    const lineage = lineageFor(this.context.options.provider.address, resource.type, resource.args);
    const { prior, retryOf } = await this.adoptPending(label, lineage, undefined);
    let importIsGuess = false;
    if (retryOf && resource.importId === undefined) {
      // The earlier attempt may have made the object without recording it; look for it before making another.
      const guess = guessImportId(resource.args);
      if (guess) {
        this.context.log(`${label}: an earlier create failed (${retryOf}); looking for the object it may have made (import ID "${guess}")`);
        resource.importId = guess;
        importIsGuess = true;
      }
    }
    const state = await this.run(prepared, redactor, "apply", resource.importId ? "import" : "create", lineage, prior, importIsGuess);
    return this.outputs(label, state);
  }

  async update(request: UpdateResourceRequest): Promise<JsonObject> {
    const redactor = this.redactor();
    const previousType = request.resource.type;
    // NixOps4 itself refuses type changes; a direct caller gets the same answer.
    const prepared = await this.prepare(previousType, request.inputProperties, redactor);
    const { label, resource } = prepared;
    if (resource.mode === "data") {
      return this.outputs(label, await this.run(prepared, redactor, "read", "update", lineageFor("data", label, resource.args), undefined));
    }
    const known = stateFromOutputs(label, request.resource.outputProperties);
    if (!known) {
      throw new OperationError(
        `${label}: the previous outputProperties carry no Terraform state (key "_opentofu"), so the existing object ` +
          "cannot be found; to adopt it, set inputs.import.id and recreate the member",
      );
    }
    const { prior } = await this.adoptPending(label, known.record.lineage, known);
    const state = await this.run(prepared, redactor, "apply", "update", known.record.lineage, prior);
    return this.outputs(label, state);
  }

  async destroy(request: DestroyResourceRequest): Promise<void> {
    const redactor = this.redactor();
    const { mode } = parseWireType(request.resource.type);
    const prepared = await this.prepare(request.resource.type, request.resource.inputProperties, redactor);
    if (mode === "data") return; // reading left nothing behind
    const { label, resource } = prepared;
    if (resource.lifecycle?.prevent_destroy) {
      throw new OperationError(
        `${label}: lifecycle.prevent_destroy is set, so the object is not destroyed; remove that setting first`,
      );
    }
    const known = stateFromOutputs(label, request.resource.outputProperties);
    const lineage = known?.record.lineage ?? lineageFor(this.context.options.provider.address, resource.type, resource.args);
    const { prior } = await this.adoptPending(label, lineage, known);
    if (!prior) {
      this.context.log(`${label}: no state recorded, nothing to destroy`);
      return;
    }
    await this.run(prepared, redactor, "destroy", "destroy", prior.record.lineage, prior);
  }

  async import(request: ImportResourceRequest): Promise<JsonObject> {
    const inputs = { ...request.resource.inputProperties };
    const id = (inputs.import as { id?: unknown } | undefined)?.id ?? request.resource.outputProperties?.id;
    if (typeof id !== "string" || id === "") {
      throw new OperationError(
        `${request.resource.type}: importing needs the object's import ID: set inputs.import.id (or outputProperties.id)`,
      );
    }
    inputs.import = { id };
    return this.create({ type: request.resource.type, inputProperties: inputs, isStateful: true });
  }
}
