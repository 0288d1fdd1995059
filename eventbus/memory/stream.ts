/** One stored message. */
export interface StoredMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
  storedAt: number;
}

export interface MemoryStreamSettings {
  /** Publishes with a message id seen within this window are stored once. */
  duplicateWindowMs: number;
  /** Messages older than this are dropped. */
  maxAgeMs: number;
}

/**
 * An append-only log with JetStream's sequence numbers (from 1, never reused) and deduplication by
 * message id within a window. Consumers register a listener to hear about appends.
 */
export class MemoryStream {
  readonly #settings: MemoryStreamSettings;
  readonly #messages: StoredMessage[] = [];
  /** Message id -> sequence, in insertion (and so time) order, which makes pruning cheap. */
  readonly #seen = new Map<string, { seq: number; at: number }>();
  readonly #listeners = new Set<() => void>();
  #lastSeq = 0;

  constructor(settings: MemoryStreamSettings) {
    this.#settings = settings;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Stores a message unless its id was seen within the duplicate window. */
  append(
    subject: string,
    data: Uint8Array,
    msgId: string,
    now = Date.now(),
  ): { seq: number; duplicate: boolean } {
    this.#prune(now);
    const seen = this.#seen.get(msgId);
    if (seen) return { seq: seen.seq, duplicate: true };
    const seq = ++this.#lastSeq;
    this.#messages.push({ seq, subject, data, storedAt: now });
    this.#seen.set(msgId, { seq, at: now });
    for (const listener of this.#listeners) listener();
    return { seq, duplicate: false };
  }

  /** The message at `seq`, or undefined when it never existed or has aged out. */
  get(seq: number): StoredMessage | undefined {
    const first = this.#messages[0];
    if (!first || seq < first.seq) return undefined;
    return this.#messages[seq - first.seq];
  }

  /** The first message after `afterSeq` whose subject passes `accept`. */
  nextAfter(afterSeq: number, accept: (subject: string) => boolean): StoredMessage | undefined {
    const first = this.#messages[0];
    if (!first) return undefined;
    for (let i = Math.max(0, afterSeq + 1 - first.seq); i < this.#messages.length; i++) {
      const message = this.#messages[i];
      if (message && accept(message.subject)) return message;
    }
    return undefined;
  }

  /** Calls `listener` after every append; returns the function that stops it. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #prune(now: number): void {
    for (const [id, { at }] of this.#seen) {
      if (now - at < this.#settings.duplicateWindowMs) break;
      this.#seen.delete(id);
    }
    let drop = 0;
    while (
      drop < this.#messages.length &&
      now - (this.#messages[drop]?.storedAt ?? now) >= this.#settings.maxAgeMs
    ) {
      drop++;
    }
    if (drop > 0) this.#messages.splice(0, drop);
  }
}
