// The bridge serving its caller in this process: its protocol loop on stdin/stdout, its engines (or its provider
// host's) interrupted by this process's own signals. What bridge/main.ts runs when no operation server is used
// (NIXOPS4_OPENTOFU_OPERATION_SERVER=off or NIXOPS4_OPENTOFU_PROVIDER_HOST=off) or none could be reached. The protocol
// owns stdout; anything else that would print there (console.log in a dependency) is sent to stderr.
import { installInterruptHandlers, processInterrupts } from "../opentofu/engine/interrupts.js";
import { takeStdoutForProtocol } from "./protocol/protocol-stdout.js";
import { runSession, servicesFrom } from "./session.js";

export async function serveInProcess(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const protocolOut = takeStdoutForProtocol();
  // NixOps4 may close our pipes while an operation runs (it crashed, or gave up). Writing then fails with EPIPE;
  // unhandled, that would kill the bridge mid-operation. The operation finishes, serve() sees the response was not
  // written and leaves its outcome recorded for the next operation; log lines are simply lost.
  protocolOut.on("error", () => undefined);
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);

  const log = (line: string) => process.stderr.write(`[opentofu] ${line}\n`);

  let busy = false;
  installInterruptHandlers((signal) => {
    if (!busy) process.exit(signal === "SIGINT" ? 130 : 143);
    log(`${signal} received: letting the engine finish and keep its state, then stopping`);
  });

  await runSession({
    argv,
    env,
    input: process.stdin,
    output: protocolOut,
    log,
    interrupts: processInterrupts,
    services: servicesFrom(argv, env, log),
    onBusy: (now) => (busy = now),
  });
  process.exitCode = processInterrupts.by() ? 1 : 0;
}
