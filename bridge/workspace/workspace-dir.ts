// A private (0700) temporary directory per operation, removed afterwards whatever happened. Anything worth
// keeping past the operation (state after a failure) is copied out by the caller before cleanup.
import { tmpdir } from "node:os";
import type { DirectoryResult } from "tmp-promise";

export class WorkspaceDirError extends Error {}

export async function withWorkspaceDir<T>(use: (path: string) => Promise<T>): Promise<T> {
  let workspace: DirectoryResult;
  try {
    // Loaded on use: tmp-promise resolves the temp dir when it is imported and throws if TMPDIR does not exist,
    // which at start-up would kill the bridge before it could answer with an error.
    const { dir } = await import("tmp-promise");
    workspace = await dir({ prefix: "nixops4-opentofu-", mode: 0o700, unsafeCleanup: true });
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
