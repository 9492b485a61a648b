// A private (0700) temporary directory per operation, removed afterwards whatever happened. Anything worth
// keeping past the operation (state after a failure) is copied out by the caller before cleanup. Its name carries
// this process's pid and start time, so that what a killed process left is found and removed (workspace-sweep.ts).
import { tmpdir } from "node:os";
import type { DirectoryResult } from "tmp-promise";
import { ownWorkspacePrefix, sweepDeadWorkspaces } from "./workspace-sweep.js";

export class WorkspaceDirError extends Error {}

let swept: Promise<unknown> | undefined;

/** Once per process, before its first operation or workspace: removes what killed processes left. */
export function sweepLeftovers(): Promise<unknown> {
  swept ??= sweepDeadWorkspaces(tmpdir(), (line) => process.stderr.write(`[opentofu] ${line}\n`)).catch(() => 0);
  return swept;
}

export async function withWorkspaceDir<T>(use: (path: string) => Promise<T>): Promise<T> {
  await sweepLeftovers();
  let workspace: DirectoryResult;
  try {
    // Loaded on use: tmp-promise resolves the temp dir when it is imported and throws if TMPDIR does not exist,
    // which at start-up would kill the bridge before it could answer with an error.
    const { dir } = await import("tmp-promise");
    workspace = await dir({ prefix: ownWorkspacePrefix(), mode: 0o700, unsafeCleanup: true });
  } catch (error) {
    throw new WorkspaceDirError(
      `cannot create a private workspace directory under ${tmpdir()} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
        "set TMPDIR to a writable directory",
    );
  }
  try {
    return await use(workspace.path);
  } finally {
    await workspace.cleanup();
  }
}
