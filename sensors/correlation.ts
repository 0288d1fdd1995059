import { ImpulseError } from '../core/errors.ts';
import type { KvStore } from '../eventbus/index.ts';

/** An event a trigger holds while it waits for the rest of its condition: where to find it again. */
export interface HeldEvent {
  id: string;
  /** Stream sequence, to read the event back from the bus (KV never holds bodies). */
  seq: number;
  /** When it was held (ms since the epoch), for `conditionsReset` and `correlationWindow`. */
  at?: number;
}

/**
 * A firing made of held events, recorded before it executes. Until it is done (then it is removed)
 * a restarted sensor executes it again with the same events, and so the same firing id.
 */
export interface FiringRecord {
  state: 'started';
  /** The firing's events by dependency name. */
  events: Record<string, HeldEvent>;
  /** Executions that failed so far (each after its retries). */
  failures: number;
  /** When it was recorded (ms since the epoch). */
  at: number;
}

/** What one KV entry holds: a trigger's correlation state, or one key's share of it. */
export interface EntryState {
  held: Record<string, HeldEvent>;
  firings: Record<string, FiringRecord>;
  /**
   * Per dependency, the highest stream sequence whose effect (held, or part of a recorded firing) is
   * in this entry. A redelivered message at or below it was already handled: its ack was lost.
   */
  handled: Record<string, number>;
  /** The correlation key value this entry belongs to (keyed correlation only). */
  key?: string;
}

/**
 * One KV entry of correlation state, kept in memory and written back with compare-and-set. Changes
 * apply in memory at once, so correlation never waits for KV; `change()` resolves once the change
 * is durable. Changes made while a write is in flight go out together in the next one (a group
 * commit), so a busy trigger writes far less often than it changes.
 *
 * When a write fails, every change not yet durable is rejected (their messages go back to the bus),
 * and the entry refuses changes until `reload()` has read the truth from KV again.
 */
export class CorrelationEntry {
  private state: EntryState = emptyState();
  private revision = 0;
  private writing = false;
  private failed = false;
  private waiting: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  /** When the last change was made (ms since the epoch). */
  changedAt = 0;

  constructor(
    private readonly kv: KvStore,
    /** `<namespace>.<sensor>.<trigger>`, or with `.k.<hash>` for a correlation key value. */
    readonly key: string,
    /** The correlation key value of a keyed entry, kept in it for people reading KV. */
    keyValue?: string,
  ) {
    this.state = emptyState(keyValue);
  }

  /** Reads the entry from KV, dropping whatever was in memory. */
  async load(): Promise<void> {
    const entry = await this.kv.get<Partial<EntryState>>(this.key);
    this.state = normalize(entry?.value);
    this.revision = entry?.revision ?? 0;
    this.failed = false;
    this.changedAt = Date.now();
  }

  /** A write failed; `reload()` before changing anything again. */
  get broken(): boolean {
    return this.failed;
  }

  /** Loads again after a failed write, retrying while KV cannot be reached. */
  async reload(signal: AbortSignal): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 5000)) {
      if (signal.aborted) throw new ImpulseError('CLOSED', 'stopped while reloading correlation state');
      try {
        await this.load();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** The state as it is in memory (including changes not yet durable). */
  get current(): Readonly<EntryState> {
    return this.state;
  }

  /** Whether the entry holds nothing: no held events and no recorded firings. */
  get empty(): boolean {
    return Object.keys(this.state.held).length === 0 && Object.keys(this.state.firings).length === 0;
  }

  /** Applies `mutate` in memory now; resolves once it is durable in KV. */
  change(mutate: (state: EntryState) => void): Promise<void> {
    if (this.failed) {
      return Promise.reject(
        new ImpulseError('INVALID_STATE', `correlation state ${this.key} must be reloaded`),
      );
    }
    mutate(this.state);
    this.changedAt = Date.now();
    const durable = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    void this.flush();
    return durable;
  }

  /** Removes the entry from KV (a keyed entry that is empty and stale). */
  async remove(): Promise<void> {
    if (this.waiting.length > 0 || this.writing) return;
    await this.kv.delete(this.key);
    this.state = emptyState(this.state.key);
    this.revision = 0;
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0 && !this.failed) {
        const batch = this.waiting.splice(0);
        try {
          // Both KV drivers serialize the value before their first await, so later changes in
          // memory cannot leak into this write.
          this.revision =
            this.revision === 0
              ? await this.kv.create(this.key, this.state)
              : await this.kv.update(this.key, this.state, this.revision);
          for (const waiter of batch) waiter.resolve();
        } catch (err) {
          this.failed = true;
          for (const waiter of [...batch, ...this.waiting.splice(0)]) waiter.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

export function emptyState(key?: string): EntryState {
  return { held: {}, firings: {}, handled: {}, ...(key === undefined ? {} : { key }) };
}

function normalize(value: Partial<EntryState> | undefined): EntryState {
  if (!value || typeof value !== 'object') return emptyState();
  return {
    held: { ...value.held },
    firings: { ...value.firings },
    handled: { ...value.handled },
    ...(typeof value.key === 'string' ? { key: value.key } : {}),
  };
}
