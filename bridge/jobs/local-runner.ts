// Runs a job in this process: its own workspace and engine, the provider attached by `attach` (the engine's init).
import type { Attachment } from "./attachment.js";
import type { BatchContext } from "./batch-run.js";
import { JobInterruptedError, type JobRunner } from "./job-runner.js";

export type LocalRunnerContext = Omit<BatchContext, "progress" | "mayApply" | "signal" | "attach"> & {
  attach: (workspace: string, env: Record<string, string | undefined>) => Promise<Attachment>;
  release: () => Promise<void>;
};

export function localRunner(context: LocalRunnerContext): JobRunner {
  return {
    async run(job, how) {
      // The engine runner is loaded only here: with a provider host, this process runs no engine at all.
      const { runBatch, ApplyWithheldError } = await import("./batch-run.js");
      try {
        const [outcome] = await runBatch(
          // The caller's signal gives the running engine its one SIGINT and withholds the next engine command.
          {
            ...context,
            signal: how.signal,
            progress: (_i, line) => how.progress(line),
            mayApply: () => !how.signal?.aborted,
            beforeApply: async (actions) => how.beforeApply?.(actions.get(0) ?? []),
          },
          [job],
        );
        return outcome!;
      } catch (error) {
        if (error instanceof ApplyWithheldError) throw new JobInterruptedError(error.message);
        throw error;
      }
    },
    release: context.release,
  };
}
