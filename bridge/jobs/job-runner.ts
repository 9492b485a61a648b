// The one contract between an operation and whoever runs its engine: run a job, with progress and an abort signal,
// and return its outcome. Two implementations: here, in this process (local-runner.ts, the engine's own provider
// start), and on a provider host (provider-host/index.ts, which batches it with other bridges' jobs). The caller
// does not know which; both treat an abort alike (the engine gets its one SIGINT once nobody wants its run).
import type { BatchJob, JobOutcome } from "./batch-run.js";

export interface JobProgress {
  /** A progress line (raw engine wording: the caller redacts). */
  progress: (line: string) => void;
  /** Aborted when the caller was interrupted; its reason is the signal's name. */
  signal?: AbortSignal;
  /** Where the state is kept if the caller is gone when the job finishes (only a host outlives its callers). */
  keepFor?: KeepFor;
  /** Awaited before the engine command that can change something starts, with the job's planned actions (a host
   * notes them in the record of `keepFor` itself). */
  beforeApply?: (actions: string[]) => Promise<void>;
}

/** The operation's record (recovery/operation-records.ts) that a host files the outcome in for a gone caller. */
export interface KeepFor {
  lineage: string;
  operation: string;
  stateDir?: string;
  id?: string;
  token?: string;
}

export interface JobRunner {
  run(job: BatchJob, how: JobProgress): Promise<JobOutcome>;
  /** The provider host's pid when the job runs there (so that a retry can tell whether its owner still runs). */
  readonly hostPid?: number;
  /** Once the operation is done with the runner (success or failure). */
  release(): Promise<void>;
}

/** The runner stopped the job before its engine could change anything, because the caller was interrupted. */
export class JobInterruptedError extends Error {}
