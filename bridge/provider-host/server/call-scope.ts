// The provider calls of one engine run, so that the engine's StopProvider (its interrupt: at the operation's
// deadline, or Ctrl-C) can end them the way a provider of its own would, without touching the calls other
// engines make to the same shared provider process. Each call registers how to cancel its upstream half.
export class CallScope {
  private readonly inFlight = new Set<() => void>();
  private stoppedAt?: number;

  /** Registers a call in flight; returns what to call once it has ended. */
  track(cancel: () => void): () => void {
    this.inFlight.add(cancel);
    return () => this.inFlight.delete(cancel);
  }

  /** Cancels every call in flight now; returns how many. Calls made later are not affected. */
  stop(): number {
    this.stoppedAt ??= Date.now();
    const calls = [...this.inFlight];
    this.inFlight.clear();
    for (const cancel of calls) cancel();
    return calls.length;
  }

  get stopped(): boolean {
    return this.stoppedAt !== undefined;
  }

  get size(): number {
    return this.inFlight.size;
  }
}
