// Ctrl-C and SIGTERM must not lose state: the engine gets exactly one SIGINT (its graceful stop, which still
// writes the state of what it changed), the bridge waits for it, and no further engine command starts.
// Engines run in their own process group so that a terminal's Ctrl-C reaches them only through this forwarder:
// a second SIGINT would make the engine abandon its state.
import type { ResultPromise } from "execa";

const running = new Set<ResultPromise>();
let interruptedBy: NodeJS.Signals | undefined;
let installed = false;
const interruptController = new AbortController();

/** Aborted (with the signal's name as reason) on the process's first SIGINT, SIGTERM or SIGHUP, once the handlers
 * are installed: what hands the interrupt on to work this process does not run itself (the provider host's). */
export const interruption: AbortSignal = interruptController.signal;

export function interruptSignal(): NodeJS.Signals | undefined {
  return interruptedBy;
}

export class InterruptedError extends Error {}

export function throwIfInterrupted(what: string): void {
  if (interruptedBy) {
    throw new InterruptedError(`interrupted by ${interruptedBy} before ${what}; nothing further was started`);
  }
}

export function trackEngine(child: ResultPromise): void {
  running.add(child);
  const forget = () => running.delete(child);
  child.then(forget, forget);
  if (interruptedBy) child.kill("SIGINT");
}

export function installInterruptHandlers(onInterrupt: (signal: NodeJS.Signals) => void): void {
  if (installed) return;
  installed = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (interruptedBy) return;
      interruptedBy = signal;
      for (const child of running) child.kill("SIGINT");
      interruptController.abort(signal);
      onInterrupt(signal);
    });
  }
}
