// Group commit for engine runs: operations that reach the host while nothing runs wait a moment for company, and
// operations that arrive while a batch runs form the next one. One batch is one plan and one apply, so N
// concurrent operations cost a few engine runs instead of N.

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
  log: (line: string) => void;
}

export class Batcher<T> {
  private readonly queue: Queued<T>[] = [];
  private running = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: BatcherOptions<T>) {}

  submit(entry: Queued<T>): void {
    this.queue.push(entry);
    if (!this.running && !this.timer) this.timer = setTimeout(() => void this.next(), this.options.gatherMs);
  }

  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  private async next(): Promise<void> {
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    const group = this.queue[0]!.group;
    const taken: T[] = [];
    for (let i = 0; i < this.queue.length && taken.length < this.options.maxBatch; ) {
      if (this.queue[i]!.group === group) taken.push(this.queue.splice(i, 1)[0]!.item);
      else i++;
    }
    this.running = true;
    this.options.log(`engine run for ${taken.length} operation(s) (${this.queue.length} waiting)`);
    try {
      await this.options.run(taken);
    } catch (error) {
      this.options.log(`batch failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
    // Whatever arrived meanwhile has waited long enough: start at once.
    if (this.queue.length > 0) void this.next();
  }
}
