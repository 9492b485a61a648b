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

/** One caller's interrupt: this process's own signals, or (in the operation server) those a bridge handed on. */
export interface Interrupts {
  /** Aborted on the first interrupt, with the signal's name as reason. */
  readonly signal: AbortSignal;
  /** Which signal interrupted, if one did. */
  by(): NodeJS.Signals | undefined;
}

/** This process's own signals (installInterruptHandlers). */
export const processInterrupts: Interrupts = { signal: interruption, by: () => interruptedBy };

/** Interrupts that arrive as messages (a bridge handing its signal on); only the first one counts. */
export function handedOnInterrupts(): Interrupts & { interrupt(signal: NodeJS.Signals): void } {
  const controller = new AbortController();
  let by: NodeJS.Signals | undefined;
  return {
    signal: controller.signal,
    by: () => by,
    interrupt(signal) {
      if (by) return;
      by = signal;
      controller.abort(signal);
    },
  };
}

export function throwIfInterrupted(what: string, interrupts: Interrupts = processInterrupts): void {
  const by = interrupts.by();
  if (by) throw new InterruptedError(`interrupted by ${by} before ${what}; nothing further was started`);
}

/** For engines started without an abort signal of their own: this process's signal handler interrupts them. */
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
