// Group commit for engine runs: operations that reach the host while a run slot is free wait a moment for company,
// and operations that arrive while all slots run form the next batch. One batch is one plan and one apply, so N
// concurrent operations cost a few engine runs instead of N; a few batches run side by side so that the engine's
// own start-up and the provider's calls of one batch overlap another's.

export interface Queued<T> {
  /** Operations with different group keys (engine binary, plugin dir) never share a run. */
  group: string;
  item: T;
}

export interface BatcherOptions<T> {
  run: (items: T[]) => Promise<void>;
  /** How long a lone operation waits for others before its batch starts. */
  gatherMs: number;
  maxBatch: number;
  /** Batches running at once. */
  concurrency: number;
  /** How many operations are on their way besides the announced ones (a cold burst's leaseholders that have not
   * handed theirs over yet): a batch waits for them, up to maxGatherMs after its oldest operation arrived, instead
   * of starting with the first one or two and leaving the rest to wait for a whole engine run. */
  expected?: () => number;
  maxGatherMs?: number;
  log: (line: string) => void;
}

export class Batcher<T> {
  private readonly queue: (Queued<T> & { at: number })[] = [];
  private running = 0;
  private announced = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: BatcherOptions<T>) {}

  submit(entry: Queued<T>): void {
    this.queue.push({ ...entry, at: Date.now() });
    if (this.running < this.options.concurrency && !this.timer)
      this.timer = setTimeout(() => void this.next(), this.options.gatherMs);
  }

  /** An operation that will be submitted (or dropped) soon: on its way until the returned function is called. */
  announce(): () => void {
    this.announced++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.announced--;
    };
  }

  /** Takes a queued item out before its batch starts; false when it is not queued (running or done). */
  remove(item: T): boolean {
    const at = this.queue.findIndex((entry) => entry.item === item);
    if (at < 0) return false;
    this.queue.splice(at, 1);
    return true;
  }

  get busy(): boolean {
    return this.running > 0 || this.queue.length > 0;
  }

  private async next(): Promise<void> {
    this.timer = undefined;
    if (this.running >= this.options.concurrency || this.queue.length === 0) return;
    const waited = Date.now() - this.queue[0]!.at;
    const expected = (this.options.expected?.() ?? 0) + this.announced;
    // Full means every free slot could start a whole batch: with 62 queued, 2 slots of 50 and 38 on their way,
    // starting now would run 31 + 31 and leave 38 to wait for a whole engine run.
    const capacity = this.options.maxBatch * (this.options.concurrency - this.running);
    if (expected > 0 && waited < (this.options.maxGatherMs ?? 0) && this.queue.length < capacity) {
      this.timer = setTimeout(() => void this.next(), this.options.gatherMs);
      return;
    }
    const group = this.queue[0]!.group;
    // Spread what is queued over the free run slots: two runs of 15 finish sooner on two cores than one of 30.
    const sameGroup = this.queue.filter((entry) => entry.group === group).length;
    const share = Math.ceil(sameGroup / (this.options.concurrency - this.running));
    const size = Math.min(this.options.maxBatch, Math.max(share, 1));
    const taken: T[] = [];
    for (let i = 0; i < this.queue.length && taken.length < size;) {
      if (this.queue[i]!.group === group) taken.push(this.queue.splice(i, 1)[0]!.item);
      else i++;
    }
    this.running++;
    this.options.log(
      `engine run for ${taken.length} operation(s) (${this.queue.length} waiting, ${expected} on their way, ` +
        `oldest queued ${waited} ms)`,
    );
    // Another slot may be free for what is still queued.
    if (this.queue.length > 0 && this.running < this.options.concurrency) void this.next();
    try {
      await this.options.run(taken);
    } catch (error) {
      this.options.log(`batch failed: ${(error as Error).message}`);
    } finally {
      this.running--;
    }
    // Whatever arrived meanwhile has waited long enough: start at once.
    if (this.queue.length > 0) void this.next();
  }
}
