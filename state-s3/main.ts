#!/usr/bin/env node
// nixops4-state-s3: the state provider NixOps4 starts for an `s3.object` state resource. The protocol owns stdout;
// anything else that would print there is sent to stderr. SIGINT/SIGTERM between requests release the lock at once;
// during a request they let it finish (an event half-acknowledged is worse than a late exit).
import { takeStdoutForProtocol } from "../bridge/protocol/protocol-stdout.js";
import { serveState } from "./serve-state.js";
import { StateSession } from "./state-session.js";

const protocolOut = takeStdoutForProtocol();

const log = (line: string) => process.stderr.write(`[state-s3] ${line}\n`);
const session = new StateSession(log);

let stopping: NodeJS.Signals | undefined;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    stopping = signal;
    // The loop waits for stdin; destroying it ends the loop, whose end closes the session (releases the lock).
    process.stdin.destroy();
  });
}

try {
  await serveState({
    input: process.stdin,
    output: protocolOut,
    session,
    log,
    shouldStop: () => stopping !== undefined,
  });
} catch (error) {
  // A signal ends the loop by destroying stdin, which the stream may report as an error; the session is closed.
  if (!stopping) throw error;
}
process.exitCode = stopping ? 1 : 0;
