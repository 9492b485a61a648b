// Which engine binary runs the workspaces: an explicit path, else `tofu` on PATH, else `terraform`.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

function onPath(name: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export class EngineNotFoundError extends Error {}

export function resolveEngine(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) {
    const resolved = explicit.includes("/") ? explicit : onPath(explicit, env.PATH);
    if (!resolved) {
      throw new EngineNotFoundError(
        `engine "${explicit}" was not found on PATH; pass --engine /path/to/tofu (or NIXOPS4_OPENTOFU_ENGINE)`,
      );
    }
    try {
      accessSync(resolved, constants.X_OK);
    } catch {
      throw new EngineNotFoundError(
        `engine "${resolved}" does not exist or is not executable; pass --engine /path/to/tofu (or NIXOPS4_OPENTOFU_ENGINE)`,
      );
    }
    return resolved;
  }
  const found = onPath("tofu", env.PATH) ?? onPath("terraform", env.PATH);
  if (!found) {
    throw new EngineNotFoundError(
      "neither `tofu` nor `terraform` is on PATH; install OpenTofu or pass --engine /path/to/tofu (or NIXOPS4_OPENTOFU_ENGINE)",
    );
  }
  return found;
}
