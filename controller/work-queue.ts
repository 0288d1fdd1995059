import type { Logger } from '../core/logger.ts';

export interface WorkQueueOptions {
  /** Runs one key; resolves with a delay to look again after, or throws to be retried with backoff. */
  handle(key: string, signal: AbortSignal): Promise<number | undefined>;
  /** Whether keys may run now (this replica leads); keys wait otherwise. */
  active(): boolean;
  /** Keys handled at the same time (one key is never handled twice at once). @default 2 */
  concurrency?: number;
  /** First retry delay after a failure; doubles per failure. @default 500 */
  baseDelayMs?: number;
  /** @default 60000 */
  maxDelayMs?: number;
  logger: Logger;
}

/**
 * Keys to reconcile, as a Kubernetes controller's rate-limited work queue: a key added several times
 * before it runs runs once; a key never runs twice at the same time (a change during a run runs it
 * again after); a failure retries the key with exponential backoff (`baseDelayMs` doubling up to
 * `maxDelayMs`), and a success forgets its failures.
 */
export class WorkQueue {
  readonly #ready = new Set<string>();
  readonly #running = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #failures = new Map<string, number>();
  readonly #stop = new AbortController();
  #workers = 0;
  #signal: AbortSignal = this.#stop.signal;

  constructor(private readonly o: WorkQueueOptions) {}

  /** Adds a key now, or after `delayMs` (an earlier pending add wins). */
  add(key: string, delayMs = 0): void {
    if (this.#stop.signal.aborted) return;
    if (delayMs > 0) {
      if (this.#timers.has(key)) return;
      const timer = setTimeout(() => {
        this.#timers.delete(key);
        this.add(key);
      }, delayMs);
      timer.unref();
      this.#timers.set(key, timer);
      return;
    }
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    this.#ready.add(key);
    this.kick();
  }

  /** Starts workers for waiting keys, if this replica may work; call when it becomes active. */
  kick(signal?: AbortSignal): void {
    if (signal) this.#signal = AbortSignal.any([this.#stop.signal, signal]);
    const max = this.o.concurrency ?? 2;
    while (this.#workers < max && this.#ready.size > 0 && this.o.active() && !this.#signal.aborted) {
      this.#workers++;
      void this.#work().finally(() => {
        this.#workers--;
      });
    }
  }

  /** Failures in a row of a key (0 after a success). */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  async #work(): Promise<void> {
    for (;;) {
      if (!this.o.active() || this.#signal.aborted) return;
      const key = [...this.#ready].find((k) => !this.#running.has(k));
      if (key === undefined) return;
      this.#ready.delete(key);
      this.#running.add(key);
      let again: number | undefined;
      try {
        again = await this.o.handle(key, this.#signal);
        this.#failures.delete(key);
      } catch (err) {
        const failures = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, failures);
        again = Math.min((this.o.baseDelayMs ?? 500) * 2 ** (failures - 1), this.o.maxDelayMs ?? 60_000);
        this.o.logger.warn(
          { key, failures, retryInMs: again, err: (err as Error).message },
          'reconcile failed',
        );
      } finally {
        this.#running.delete(key);
      }
      if (this.#dirty.delete(key)) this.#ready.add(key);
      else if (again !== undefined) this.add(key, again);
    }
  }

  close(): void {
    this.#stop.abort();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#ready.clear();
  }
}
