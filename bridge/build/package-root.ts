// Where this package lives, found from any of its modules. A module's own location differs between the compiled
// tree (dist/bridge/…), the bundle the executable runs (dist/bundle/…) and the TypeScript sources vitest runs, so
// paths to the package's own files (the build id, the provider host's entry point) start from the package root,
// never from a fixed number of "..".
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_NAME = "nixops4-resources-opentofu";

/** The nearest directory above `moduleUrl` whose package.json names this package. */
export function packageRootOf(
  moduleUrl: string,
  readText: (path: string) => string | undefined = (path) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const text = readText(join(dir, "package.json"));
    if (text !== undefined) {
      try {
        if ((JSON.parse(text) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours (or not JSON): keep looking above
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${fileURLToPath(moduleUrl)} is not inside the ${PACKAGE_NAME} package`);
    dir = parent;
  }
}

export const packageRoot = packageRootOf(import.meta.url);
