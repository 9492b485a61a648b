// Writes the generated files while the next type is being generated: a bounded number of writes in flight, so
// file-system latency overlaps with generation and at most `limit` files' text is held in memory.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

export class OutputWriter {
  private inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly root: string,
    private readonly limit = 32,
  ) {}

  /** Resolves once the write is under way (not finished); a failure surfaces here or in `finish`. */
  async write(relativePath: string, text: string): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    const pending: Promise<void> = writeFile(join(this.root, relativePath), text).then(
      () => void this.inFlight.delete(pending),
      (error: unknown) => {
        this.inFlight.delete(pending);
        this.failure ??= error;
      },
    );
    this.inFlight.add(pending);
  }

  async finish(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}
