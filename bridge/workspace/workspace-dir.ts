// A private (0700) temporary directory per operation, removed afterwards whatever happened. Anything worth
// keeping past the operation (state after a failure) is copied out by the caller before cleanup.
import { dir } from "tmp-promise";

export async function withWorkspaceDir<T>(use: (path: string) => Promise<T>): Promise<T> {
  const workspace = await dir({ prefix: "nixops4-opentofu-", mode: 0o700, unsafeCleanup: true });
  try {
    return await use(workspace.path);
  } finally {
    await workspace.cleanup();
  }
}
