// Starts a provider binary in go-plugin debug mode (`-debug`) and reads the reattach information it prints, so
// the host can serve many engine commands from one provider process.
import { execa, type ResultPromise } from "execa";
import { accessSync, constants } from "node:fs";
import { rm } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { onLines } from "../../framing/line-framer.js";

export interface ProviderEndpoint {
  protocolVersion: number;
  /** go-plugin network, "unix" in practice. */
  network: string;
  address: string;
  pid: number;
}

export interface DebugProvider {
  endpoint: ProviderEndpoint;
  /** Resolves when the provider process ends, for whatever reason. */
  exited: Promise<{ exitCode?: number; signal?: string }>;
  stop(): Promise<void>;
}

/** The binary has no usable debug mode: the engine has to start it the normal way. */
export class NoDebugModeError extends Error {}

// Debug mode logs at TRACE by default (hundreds of MB over a few hundred commands, possibly with request bodies);
// TF_LOG=off does not reach the SDK loggers, these do. A user who set them explicitly keeps their choice.
const QUIET_PROVIDER_LOGS = ["TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"];

export function providerEnv(env: NodeJS.ProcessEnv, socketDir?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  for (const k of QUIET_PROVIDER_LOGS) if (out[k] === undefined) out[k] = "off";
  // go-plugin puts its socket in $TMPDIR by default, reachable by anyone the umask lets in; anyone who can
  // connect can drive the provider with the user's credentials. Keep it in the host's private directory.
  if (socketDir && out.PLUGIN_UNIX_SOCKET_DIR === undefined) out.PLUGIN_UNIX_SOCKET_DIR = socketDir;
  return out;
}

/** Parses the `TF_REATTACH_PROVIDERS='…'` line a debug-mode provider prints on stdout. */
export function parseReattachLine(line: string): ProviderEndpoint | undefined {
  const match = /TF_REATTACH_PROVIDERS='(\{.*\})'/.exec(line);
  if (!match) return undefined;
  const parsed = JSON.parse(match[1]!) as Record<
    string,
    { ProtocolVersion?: number; Pid?: number; Addr?: { Network?: string; String?: string } }
  >;
  const first = Object.values(parsed)[0];
  if (!first?.Addr?.String || typeof first.ProtocolVersion !== "number" || typeof first.Pid !== "number") {
    return undefined;
  }
  return {
    protocolVersion: first.ProtocolVersion,
    network: first.Addr.Network ?? "unix",
    address: first.Addr.String,
    pid: first.Pid,
  };
}

let setprivPath: string | null | undefined;
function findSetpriv(path: string | undefined): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  for (const dir of (path ?? "/usr/bin:/bin").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, "setpriv"), constants.X_OK);
      setprivPath = join(dir, "setpriv");
      break;
    } catch {
      // not here
    }
  }
  return setprivPath;
}

export async function startDebugProvider(options: {
  binaryPath: string;
  env: NodeJS.ProcessEnv;
  /** Private directory for the provider's go-plugin socket. */
  socketDir?: string;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<DebugProvider> {
  // If the host dies without cleaning up (SIGKILL, OOM), the provider must not live on: `setpriv --pdeathsig`
  // makes the kernel kill it with its parent. Without setpriv the next host reaps orphans from the metadata file.
  const setpriv = findSetpriv(options.env.PATH);
  const [file, args] = setpriv
    ? [setpriv, ["--pdeathsig", "KILL", "--", options.binaryPath, "-debug"]]
    : [options.binaryPath, ["-debug"]];
  const child: ResultPromise = execa(file, args, {
    env: providerEnv(options.env, options.socketDir),
    extendEnv: false,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    reject: false,
    buffer: false,
    cleanup: true,
  });
  const exited = child.then((r) => ({ exitCode: r.exitCode, signal: r.signal }));

  const endpoint = await new Promise<ProviderEndpoint>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new NoDebugModeError(`no TF_REATTACH_PROVIDERS line within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    // Once found, nothing else on stdout matters; stdout is still read to its end so the provider never blocks on
    // a full pipe, and a line without an end in sight is dropped so a chatty provider costs no memory.
    onLines(
      child.stdout!,
      (line) => {
        const parsed = line.ok ? parseReattachLine(line.text) : undefined;
        if (parsed) {
          clearTimeout(timer);
          resolve(parsed);
        }
        return undefined;
      },
      { maxLineBytes: 65536, overlong: "drop" },
    );
    // Drain stderr so the provider never blocks on a full pipe; its content may hold request details, so it
    // is not logged.
    child.stderr!.resume();
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new NoDebugModeError(`provider exited before printing reattach info (exit ${r.exitCode ?? r.signal})`));
    });
  }).catch(async (error: unknown) => {
    child.kill("SIGKILL");
    await exited;
    throw error;
  });
  options.log(`provider started in debug mode: pid ${endpoint.pid}, protocol ${endpoint.protocolVersion}`);

  return {
    endpoint,
    exited,
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      // A provider that was killed leaves its socket file behind.
      if (options.socketDir && dirname(endpoint.address) === options.socketDir)
        await rm(endpoint.address, { force: true });
    },
  };
}
