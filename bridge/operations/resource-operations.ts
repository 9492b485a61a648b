// The NixOps4 operations in Terraform terms. create: plan + apply on an empty (or kept) state; update: the same
// on the state carried in the previous outputs; destroy: the engine plans its deletion; import: an import block on
// create. Data sources are read on every create and update.
//
// Every managed operation holds its resource's lock (resource-lock.ts) from before it looks at the resource's
// record until its response was written, continues from what an earlier operation recorded (record-recovery.ts),
// and records itself before the engine can change anything (operation-records.ts). `settle` ends it once the
// protocol edge knows whether the response reached NixOps4.
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { canonicalHash } from "../json/canonical-json.js";
import { parseExact, stringifyExact } from "../json/exact-json.js";
import type {
  CreateResourceRequest,
  DestroyResourceRequest,
  ImportResourceRequest,
  JsonObject,
  ResourceHandler,
  UpdateResourceRequest,
} from "../protocol/messages.js";
import type { HeldLock } from "../machine/lock-file.js";
import { isAlive, selfIdentity } from "../machine/process-identity.js";
import { guessImportId } from "../recovery/import-guess.js";
import {
  newToken,
  PRUNE_EVERY_MS,
  pruneReceipts,
  readRecord,
  recordPath,
  removeRecord,
  writeRecord,
  type OperationKind,
  type OperationRecord,
  type RecordOutcome,
  type RecordTarget,
} from "../recovery/operation-records.js";
import { continuationOf, RECEIPT_MS, type Continuation, type CurrentOperation } from "../recovery/record-recovery.js";
import { lockResource, ResourceBusyError } from "../recovery/resource-lock.js";
import {
  lineageFor,
  lineageIdentity,
  memberIdentity,
  takeMember,
  type ResourceIdentity,
} from "../recovery/resource-identity.js";
import { prepareInputs, providerConfigOf, type PreparedResource } from "../requests/prepare-inputs.js";
import { parseWireType } from "../../opentofu/wire/wire-contract.js";
import { InputValidator } from "../requests/validate-inputs.js";
import type { ProviderTypes } from "../schema/provider-types.js";
import { Redactor } from "../secrets/redactor.js";
import { addEnvironmentCredentials } from "../secrets/sensitive-values.js";
import { sweepLeftovers } from "../workspace/workspace-dir.js";
import {
  outputsFromState,
  stateFromOutputs,
  withoutSensitiveValues,
  type ResourceState,
} from "../workspace/tfstate.js";
import { randomUUID } from "node:crypto";
import { operationDeadline, type BridgeOptions } from "../options.js";
import type { ProviderConnection } from "./provider-attachment.js";
import { runWorkspace, type WorkspaceAction } from "./workspace-run.js";
import type { Interrupts } from "../../opentofu/engine/interrupts.js";

export class OperationError extends Error {}

export interface OperationContext {
  options: BridgeOptions;
  engine: string;
  types: () => Promise<ProviderTypes>;
  log: (line: string) => void;
  /** This caller's interrupt (the bridge process's signals, or those it handed on to the operation server). */
  interrupts: Interrupts;
  connect: (prepared: PreparedResource) => Promise<ProviderConnection>;
  /** Told a request's provider configuration before its inputs are validated (its provider can start meanwhile). */
  startProvider?: (providerConfig: Record<string, unknown>, label: string) => void;
  /** One validator for every session of an operation server (its compiled validators stay loaded); else its own. */
  validator?: InputValidator;
}

/** The managed operation whose response the protocol edge is about to write. */
interface OpenOperation {
  lock: HeldLock;
  target: RecordTarget;
  previous?: RecordOutcome;
}

/** The input validator of a provider, its compiled validators cached under the cache dir. */
export function validatorFor(options: Pick<BridgeOptions, "cacheDir" | "provider">): InputValidator {
  const { cacheDir, provider } = options;
  return new InputValidator(join(cacheDir, "validators", provider.address, provider.version));
}

/** The way out every error that leaves a record names. */
export function forgetHint(id: string): string {
  return `\`nixops4-opentofu pending forget ${id}\``;
}

export class OpenTofuResources implements ResourceHandler {
  private readonly validator: InputValidator;
  private open?: OpenOperation;
  private pruned?: Promise<number>;

  constructor(private readonly context: OperationContext) {
    this.validator = context.validator ?? validatorFor(context.options);
  }

  /** A redactor per operation, seeded with credentials from the environment. */
  private redactor(): Redactor {
    const redactor = new Redactor();
    addEnvironmentCredentials(redactor, process.env);
    return redactor;
  }

  private async prepare(
    wireType: string,
    inputs: JsonObject,
    redactor: Redactor,
  ): Promise<{ prepared: PreparedResource; member?: string[] }> {
    const providerConfig = providerConfigOf(inputs);
    if (providerConfig) this.context.startProvider?.(providerConfig, wireType);
    const { member, inputs: rest } = takeMember(wireType, inputs);
    return {
      prepared: await prepareInputs(wireType, rest, await this.context.types(), this.validator, redactor),
      member,
    };
  }

  private identity(
    prepared: PreparedResource,
    member: string[] | undefined,
    fallbackLineage: string,
  ): ResourceIdentity {
    const { label, resource } = prepared;
    if (member) return memberIdentity(this.context.options.provider.address, resource.type, member);
    this.context.log(
      `${label}: no _member input (a caller other than the generated Nix modules): this resource is told apart by its lineage ${fallbackLineage}`,
    );
    return lineageIdentity(fallbackLineage);
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
      deadline: operationDeadline(options),
      pluginDir: options.pluginDir,
      record: this.open?.target,
      redactor,
      log,
      interrupts: this.context.interrupts,
      connect: () => this.context.connect(prepared),
    });
    return result.state;
  }

  /** Takes the resource's lock and waits out an earlier operation that still runs; then says what it left. */
  private async begin(
    label: string,
    identity: ResourceIdentity,
    current: CurrentOperation,
  ): Promise<{ lock: HeldLock; continuation: Continuation; record?: OperationRecord }> {
    const { stateDir } = this.context.options;
    // Before looking at a record: a killed predecessor's engine must not still be running in its workspace.
    await sweepLeftovers();
    this.pruned ??= pruneReceipts(stateDir, RECEIPT_MS, Date.now(), PRUNE_EVERY_MS).catch(() => 0);
    const { waitMs } = this.context.options;
    const lock = await lockResource({ stateDir, id: identity.id, label, waitMs, log: this.context.log });
    try {
      const deadline = Date.now() + waitMs;
      let announced = false;
      for (;;) {
        const record = await readRecord(stateDir, identity.id);
        const continuation: Continuation = record
          ? continuationOf(record, current, isAlive, Date.now())
          : { kind: "fresh" };
        if (continuation.kind !== "wait") return { lock, continuation, record };
        if (Date.now() >= deadline) {
          throw new ResourceBusyError(
            `${label}: an earlier ${record!.operation} of this resource (${identity.describe}) is still running (${continuation.owners.join(", ")}) ` +
              `after ${Math.round(waitMs / 1000)} s (NIXOPS4_OPENTOFU_WAIT_SECONDS); nothing was started. Run again once it has finished ` +
              `(its record: nixops4-opentofu pending show ${identity.id}).`,
          );
        }
        if (!announced) {
          this.context.log(
            `${label}: an earlier ${record!.operation} of this resource is still running (${continuation.owners.join(", ")}); waiting for its outcome`,
          );
          announced = true;
        }
        await sleep(250);
      }
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Records the operation as running, before the engine can change anything. */
  private async start(
    lock: HeldLock,
    identity: ResourceIdentity,
    prepared: PreparedResource,
    operation: OperationKind,
    lineage: string,
    previous: RecordOutcome | undefined,
  ): Promise<void> {
    const { stateDir, provider } = this.context.options;
    const token = newToken();
    await writeRecord(stateDir, {
      id: identity.id,
      ...(identity.member ? { member: identity.member } : {}),
      lineage,
      type: prepared.resource.type,
      mode: prepared.resource.mode,
      providerAddress: provider.address,
      operation,
      inputsHash: inputsHash(prepared),
      configHash: canonicalHash(prepared.providerConfig),
      token,
      phase: "running",
      handedOver: "none",
      applying: "not yet",
      startedAt: new Date().toISOString(),
      bridge: selfIdentity(),
      ...(previous ? { previous } : {}),
    });
    this.open = { lock, target: { stateDir, id: identity.id, token }, previous };
  }

  /** Called by the protocol edge once the response was written (delivered) or could not be (the caller is gone):
   * forgets the record only when NixOps4 has the outcome, or when nothing changed. */
  async settle(delivered: boolean): Promise<void> {
    const open = this.open;
    this.open = undefined;
    if (!open) return;
    const { stateDir, id, token } = open.target;
    try {
      const record = await readRecord(stateDir, id);
      if (!record || record.token !== token) return;
      const outcome = record.outcome;
      if (outcome?.result === "succeeded") {
        if (!delivered) {
          this.context.log(
            `the response could not be written (NixOps4 is gone); the outcome is kept for the next operation (${recordPath(stateDir, id)})`,
          );
        } else if ((record.operation === "create" || record.operation === "import") && outcome.state) {
          // A create's answer stays as a receipt: the same create again means NixOps4 lost it (record-recovery.ts).
          await writeRecord(stateDir, { ...record, phase: "answered", previous: undefined });
        } else {
          await removeRecord(stateDir, id, token);
        }
      } else if (record.phase === "running" || outcome?.changed === false) {
        // Failed before changing anything: what the record said before this operation stands.
        if (open.previous)
          await writeRecord(stateDir, { ...record, phase: "finished", outcome: open.previous, previous: undefined });
        else await removeRecord(stateDir, id, token);
      }
    } finally {
      await open.lock.release();
    }
  }

  private outputs(label: string, state: ResourceState | undefined): JsonObject {
    if (!state) throw new OperationError(`${label}: the engine reported success but the state holds no object`);
    const returned = this.context.options.sensitiveOutputs === "omit" ? withoutSensitiveValues(state) : state;
    // Outputs go through exact JSON once more so that what NixOps4 stores is plain data.
    return parseExact(stringifyExact(outputsFromState(returned))) as JsonObject;
  }

  private refusal(
    label: string,
    identity: ResourceIdentity,
    record: OperationRecord | undefined,
    why: string,
    whatNow: string,
  ): OperationError {
    const { stateDir } = this.context.options;
    const object = record?.outcome?.state ?? record?.previous?.state;
    const found = object
      ? ` It recorded ${record!.type} "${String((object.attributes.id as string | number | undefined) ?? "")}".`
      : "";
    return new OperationError(
      `${label}: an earlier operation on this resource (${identity.describe}) left a record whose outcome this one cannot ` +
        `continue from: ${why}.${found} Record: ${recordPath(stateDir, identity.id)} (nixops4-opentofu pending show ${identity.id}). ` +
        `${whatNow} Nothing was started.`,
    );
  }

  async create(request: CreateResourceRequest): Promise<JsonObject> {
    const redactor = this.redactor();
    const { prepared, member } = await this.prepare(request.type, request.inputProperties, redactor);
    const { label, resource } = prepared;
    if (resource.mode === "data") {
      return this.outputs(
        label,
        await this.run(prepared, redactor, "read", "create", lineageFor("data", label, resource.args), undefined),
      );
    }
    if (!request.isStateful) {
      throw new OperationError(
        `${label} resources require state (isStateful must be true): a managed Terraform resource must persist its ` +
          "state between operations; set `state` on this member in your NixOps4 configuration",
      );
    }
    const derived = lineageFor(this.context.options.provider.address, resource.type, resource.args);
    const identity = this.identity(prepared, member, derived);
    const { lock, continuation, record } = await this.begin(label, identity, {
      operation: "create",
      inputsHash: inputsHash(prepared),
      configHash: canonicalHash(prepared.providerConfig),
    });
    let prior: ResourceState | undefined;
    let importIsGuess = false;
    let previous: RecordOutcome | undefined;
    // A member's lineage is its own (two members with equal inputs never share one); a retry keeps the record's.
    let lineage = member ? (record?.lineage ?? randomUUID()) : derived;
    try {
      switch (continuation.kind) {
        case "adopt":
          this.context.log(`${label}: adopting the state kept after an earlier ${continuation.why}`);
          prior = continuation.state;
          previous = continuation.previous;
          break;
        case "foreign":
          if (resource.importId === undefined) {
            throw this.refusal(
              label,
              identity,
              record,
              continuation.why,
              `If that object is this resource's, adopt it with inputs.import.id; if it is not (or is gone), run ${forgetHint(identity.id)} and try again.`,
            );
          }
          previous = continuation.previous;
          lineage = member ? randomUUID() : derived;
          break;
        case "unknown":
        case "failed-create": {
          previous = continuation.previous;
          if (resource.importId !== undefined) break;
          // The earlier attempt may have made the object without recording it; look for it before making another.
          const guess = guessImportId(resource.args, resource.type);
          if (guess) {
            const earlier = continuation.kind === "unknown" ? "operation did not finish" : "create failed";
            this.context.log(
              `${label}: an earlier ${earlier} (${continuation.why}); looking for the object it may have made (import ID "${guess}")`,
            );
            resource.importId = guess;
            importIsGuess = true;
          } else if (continuation.kind === "unknown") {
            throw this.refusal(
              label,
              identity,
              record,
              continuation.why,
              `A ${resource.type} may exist in the cloud that nothing records, and its ID cannot be derived from the inputs, so ` +
                `creating another could duplicate it. If it exists, adopt it with inputs.import.id = "<its import ID>"; if it ` +
                `does not (or you removed it), run ${forgetHint(identity.id)} and try again.`,
            );
          }
          break;
        }
        default:
          break;
      }
      await this.start(lock, identity, prepared, resource.importId ? "import" : "create", lineage, previous);
    } catch (error) {
      if (!this.open) await lock.release();
      throw error;
    }
    const state = await this.run(
      prepared,
      redactor,
      "apply",
      resource.importId ? "import" : "create",
      lineage,
      prior,
      importIsGuess,
    );
    return this.outputs(label, state);
  }

  async update(request: UpdateResourceRequest): Promise<JsonObject> {
    const redactor = this.redactor();
    const previousType = request.resource.type;
    // NixOps4 itself refuses type changes; a direct caller gets the same answer.
    const { prepared, member } = await this.prepare(previousType, request.inputProperties, redactor);
    const { label, resource } = prepared;
    if (resource.mode === "data") {
      return this.outputs(
        label,
        await this.run(prepared, redactor, "read", "update", lineageFor("data", label, resource.args), undefined),
      );
    }
    const known = stateFromOutputs(label, request.resource.outputProperties);
    if (!known) {
      throw new OperationError(
        `${label}: the previous outputProperties carry no Terraform state (key "_opentofu"), so the existing object ` +
          "cannot be found; to adopt it, set inputs.import.id and recreate the member",
      );
    }
    const identity = this.identity(prepared, member, known.record.lineage);
    const { lock, continuation, record } = await this.begin(label, identity, {
      operation: "update",
      inputsHash: inputsHash(prepared),
      known,
    });
    let prior = known;
    try {
      if (continuation.kind === "adopt") {
        this.context.log(`${label}: adopting the state kept after an earlier ${continuation.why}`);
        prior = continuation.state;
      } else if (continuation.kind === "rerun") {
        this.context.log(
          `${label}: an earlier ${continuation.why}; it made no new object, so the update runs again from the state NixOps4 holds`,
        );
      } else if (continuation.kind === "unknown" || continuation.kind === "foreign") {
        throw this.refusal(
          label,
          identity,
          record,
          continuation.why,
          `It may have changed or replaced the object. Check ${resource.type} "${String((known.attributes.id as string | number | undefined) ?? "")}" in the cloud, then run ` +
            `${forgetHint(identity.id)} and try again (the update then starts from the state NixOps4 holds).`,
        );
      }
      await this.start(
        lock,
        identity,
        prepared,
        "update",
        known.record.lineage,
        "previous" in continuation ? continuation.previous : undefined,
      );
    } catch (error) {
      if (!this.open) await lock.release();
      throw error;
    }
    const state = await this.run(prepared, redactor, "apply", "update", known.record.lineage, prior);
    return this.outputs(label, state);
  }

  async destroy(request: DestroyResourceRequest): Promise<void> {
    const redactor = this.redactor();
    const { mode } = parseWireType(request.resource.type);
    const { prepared, member } = await this.prepare(request.resource.type, request.resource.inputProperties, redactor);
    if (mode === "data") return; // reading left nothing behind
    const { label, resource } = prepared;
    if (resource.lifecycle?.prevent_destroy) {
      throw new OperationError(
        `${label}: lifecycle.prevent_destroy is set, so the object is not destroyed; remove that setting first`,
      );
    }
    const known = stateFromOutputs(label, request.resource.outputProperties);
    const lineage =
      known?.record.lineage ?? lineageFor(this.context.options.provider.address, resource.type, resource.args);
    const identity = this.identity(prepared, member, lineage);
    const { lock, continuation, record } = await this.begin(label, identity, {
      operation: "destroy",
      inputsHash: inputsHash(prepared),
      known,
    });
    let prior = known;
    try {
      switch (continuation.kind) {
        case "destroyed":
          this.context.log(`${label}: an earlier ${continuation.why}: already destroyed`);
          await removeRecord(this.context.options.stateDir, identity.id);
          await lock.release();
          return;
        case "adopt":
          this.context.log(`${label}: adopting the state kept after an earlier ${continuation.why}`);
          prior = continuation.state;
          break;
        case "foreign":
          throw this.refusal(
            label,
            identity,
            record,
            continuation.why,
            `Deal with that object first, then run ${forgetHint(identity.id)} and try again.`,
          );
        case "unknown":
          // The earlier operation may have made a replacement that nothing records: destroying the object NixOps4
          // knows would leave that one behind, forgotten.
          throw this.refusal(
            label,
            identity,
            record,
            continuation.why,
            `It may have made a new ${resource.type} that nothing records (besides ${resource.type} "${String((known?.attributes.id as string | number | undefined) ?? "")}" that NixOps4 knows). ` +
              `Check the cloud and remove any such object, then run ${forgetHint(identity.id)} and try again.`,
          );
        case "rerun":
          this.context.log(
            `${label}: an earlier ${continuation.why}; it made no new object, so the destroy runs from the state NixOps4 holds`,
          );
          break;
        default:
          break;
      }
      if (!prior) {
        this.context.log(`${label}: no state recorded, nothing to destroy`);
        await lock.release();
        return;
      }
      await this.start(
        lock,
        identity,
        prepared,
        "destroy",
        prior.record.lineage,
        "previous" in continuation ? continuation.previous : undefined,
      );
    } catch (error) {
      if (!this.open) await lock.release();
      throw error;
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

function inputsHash(prepared: PreparedResource): string {
  return canonicalHash([prepared.resource.type, prepared.resource.args]);
}
