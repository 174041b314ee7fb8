/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order.
 * Used so that asking hundreds of nodes does not open hundreds of streams at the same instant.
 */
export class ConcurrencyLimit {
  readonly limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
    }
    this.limit = limit;
  }

  get running(): number {
    return this.#running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // Hand the slot straight to the next waiter; the running count stays the same.
      if (next === undefined) this.#running--;
      else next();
    }
  }
}

/** Map over items with at most `limit` in flight, keeping the input order in the result. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const gate = new ConcurrencyLimit(limit);
  return Promise.all(items.map((item, i) => gate.run(() => fn(item, i))));
}
