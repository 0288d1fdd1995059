/** Runs tasks one after another, in the order they were queued. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once every queued task has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}

/** Bounds how many tasks run at once; `acquire` waits for a free slot. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly limit: number) {}

  /** Starts `task` once a slot is free; resolves when it has started (not when it ends). */
  async start(task: () => Promise<unknown>): Promise<void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    const run = task().finally(() => {
      this.active--;
      this.running.delete(run);
      this.waiting.shift()?.();
    });
    this.running.add(run);
    run.catch(() => undefined);
  }

  /** Resolves once every started task has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
