// Which build of this package is running: its version and a hash of its compiled code and locked dependencies,
// made by `npm run build` (write-build-id.ts). Caches of things the code derives (compiled input validators) and
// the provider host's key are keyed on it. Not on file times: in the Nix store every mtime is 1, so an upgrade
// that leaves file sizes equal would look like the same build.
import { readdirSync, readFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { packageRoot } from "./package-root.js";

export interface BuildId {
  version: string;
  /** sha256 hex of the compiled bridge and codegen, the bundle, the native relay and package-lock.json. */
  contentHash: string;
}

// Compiled or bundled (.js), or the sources under vitest (.ts).
const compiled = import.meta.url.endsWith(".js");
export const BUILD_ID_FILE = join(packageRoot, "dist", "build-id.json");

function filesUnder(dir: string, extension: string): string[] {
  // extension "": every file.
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, extension));
    else if (entry.name.endsWith(extension) && !entry.name.endsWith(`.test${extension}`)) out.push(path);
  }
  return out;
}

/** Hashes the code under `root` (dist when built, the sources under vitest) and the lockfile. */
export function computeBuildId(root: string, extension: ".js" | ".ts"): BuildId {
  // Loaded here, not with the module: the bridge process reads the id on every start and loading node:crypto
  // costs each of them ~14 ms of CPU (the build computes the id once).
  const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  const hash = createHash("sha256");
  // bundle/ and relay/: what the executable runs (dist only; the sources have neither). The relay speaks the
  // frames to the server, so a relay built from other code is another build.
  const files = ["bridge", "codegen", "bundle"]
    .filter((dir) => existsSync(join(root, dir)))
    .flatMap((dir) => filesUnder(join(root, dir), extension))
    .concat(existsSync(join(root, "relay")) ? filesUnder(join(root, "relay"), "") : [])
    .sort();
  for (const file of files) hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  hash.update(readFileSync(join(packageRoot, "package-lock.json")));
  const { version } = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string };
  return { version, contentHash: hash.digest("hex") };
}

let cached: string | undefined;

/** "VERSION+HASH" of the build in dist/ (the sources under vitest drive the compiled host, so they share its id). */
export function buildId(): string {
  if (cached) return cached;
  let id: BuildId;
  try {
    id = JSON.parse(readFileSync(BUILD_ID_FILE, "utf8")) as BuildId;
  } catch {
    // Compiled without `npm run build` (a bare tsc): hash what is there.
    id = computeBuildId(compiled ? join(packageRoot, "dist") : packageRoot, compiled ? ".js" : ".ts");
  }
  cached = `${id.version}+${id.contentHash}`;
  return cached;
}
