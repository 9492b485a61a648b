// The private directory where provider hosts keep their sockets, locks, metadata and logs, and where engine
// slots are counted. Private (0700, owned by us) because anyone who can reach a host's socket can drive a
// provider configured with the user's credentials.
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// node:os and node:fs/promises cost every bridge process ~9 ms of CPU to load, and a bridge that relays its
// session to the operation server needs neither: os only where HOME or the runtime dir candidates run out, and
// the directory is made with the synchronous calls (once per process).
const os = () => createRequire(import.meta.url)("node:os") as typeof import("node:os");

/** $HOME, else the account's home directory. */
export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME ?? os().homedir();
}

const APP = "nixops4-resources-opentofu";
// Unix socket paths are limited to 107 bytes; the longest name in the dir is "/<32-char stem>.<pid>.grpc.sock"
// (at most 51 bytes with a 7-digit pid).
const MAX_DIR_LENGTH = 56;

export function runtimeDirCandidates(env: NodeJS.ProcessEnv): string[] {
  const explicit = env.NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR;
  if (explicit) return [explicit];
  const candidates: string[] = [];
  if (env.XDG_RUNTIME_DIR) candidates.push(join(env.XDG_RUNTIME_DIR, APP));
  candidates.push(join(homeDir(env), ".cache", APP, "hosts"));
  candidates.push(tmpCandidate());
  return candidates;
}

function tmpCandidate(): string {
  const uid = process.getuid?.() ?? "user";
  return join(os().tmpdir(), `${APP}-${uid}`);
}

/** The runtime dir for this environment: the first candidate short enough for socket paths. */
export function runtimeDir(env: NodeJS.ProcessEnv): string {
  if (env.NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR) return env.NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR;
  // The candidates in order, the temp dir's looked up only when the others are too long.
  if (env.XDG_RUNTIME_DIR && join(env.XDG_RUNTIME_DIR, APP).length <= MAX_DIR_LENGTH)
    return join(env.XDG_RUNTIME_DIR, APP);
  const home = join(homeDir(env), ".cache", APP, "hosts");
  if (home.length <= MAX_DIR_LENGTH) return home;
  return tmpCandidate();
}

export class RuntimeDirError extends Error {}

/** Creates the directory (0700) if needed and refuses one that another user owns or others can enter. */
export async function ensurePrivateDir(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = statSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new RuntimeDirError(`provider host directory ${dir} belongs to uid ${info.uid}, not to us (uid ${uid})`);
  }
  if ((info.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}
