// The private directory where provider hosts keep their sockets, locks, metadata and logs, and where engine
// slots are counted. Private (0700, owned by us) because anyone who can reach a host's socket can drive a
// provider configured with the user's credentials.
import { mkdir, chmod, stat } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

const APP = "nixops4-resources-opentofu";
// Unix socket paths are limited to 107 bytes; the longest name in the dir is "/<32-char stem>.<pid>.grpc.sock"
// (at most 51 bytes with a 7-digit pid).
const MAX_DIR_LENGTH = 56;

export function runtimeDirCandidates(env: NodeJS.ProcessEnv): string[] {
  const explicit = env.NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR;
  if (explicit) return [explicit];
  const candidates: string[] = [];
  if (env.XDG_RUNTIME_DIR) candidates.push(join(env.XDG_RUNTIME_DIR, APP));
  candidates.push(join(env.HOME ?? homedir(), ".cache", APP, "hosts"));
  const uid = process.getuid?.() ?? "user";
  candidates.push(join(tmpdir(), `${APP}-${uid}`));
  return candidates;
}

/** The runtime dir for this environment: the first candidate short enough for socket paths. */
export function runtimeDir(env: NodeJS.ProcessEnv): string {
  const candidates = runtimeDirCandidates(env);
  return candidates.find((d) => d.length <= MAX_DIR_LENGTH) ?? candidates[candidates.length - 1]!;
}

export class RuntimeDirError extends Error {}

/** Creates the directory (0700) if needed and refuses one that another user owns or others can enter. */
export async function ensurePrivateDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new RuntimeDirError(`provider host directory ${dir} belongs to uid ${info.uid}, not to us (uid ${uid})`);
  }
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  return dir;
}
