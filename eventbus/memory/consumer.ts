import { subjectMatches } from '../subjects.ts';
import type { MemoryStream, StoredMessage } from './stream.ts';

export interface MemoryConsumerSettings {
  filterSubject: string;
  ackWaitMs: number;
  /** -1 for no limit. */
  maxDeliver: number;
  maxAckPending: number;
}

/** One delivery of a message, as handed to a reader. */
export interface Delivery {
  message: StoredMessage;
  deliveryCount: number;
}

interface Pending {
  deliveries: number;
  timer: NodeJS.Timeout | undefined;
  /** Waiting to be delivered again (after an ack wait ran out or a nak). */
  due: boolean;
}

/**
 * A durable consumer with JetStream's semantics: it starts at the end of the stream ("deliver new"),
 * remembers its position between subscriptions, and redelivers what is not acked within the ack
 * wait or is nak'ed, counting deliveries. Readers pull one message at a time with `take()`.
 */
export class MemoryConsumer {
  readonly durable: string;
  #settings: MemoryConsumerSettings;
  readonly #stream: MemoryStream;
  /** The last stream sequence looked at for a first delivery. */
  #cursor: number;
  readonly #pending = new Map<number, Pending>();
  readonly #waiters = new Set<() => void>();
  readonly #unlisten: () => void;

  constructor(durable: string, stream: MemoryStream, settings: MemoryConsumerSettings) {
    this.durable = durable;
    this.#stream = stream;
    this.#settings = settings;
    this.#cursor = stream.lastSeq;
    this.#unlisten = stream.listen(() => this.#wake());
  }

  /** Applies settings a new subscription brings (JetStream updates an existing consumer likewise). */
  update(settings: MemoryConsumerSettings): void {
    this.#settings = settings;
  }

  /** The next message to deliver (redeliveries first, in stream order), or undefined if none is ready. */
  take(): Delivery | undefined {
    // Pending entries are kept in first-delivery order, which is stream order.
    for (const [seq, pending] of this.#pending) {
      if (!pending.due) continue;
      const message = this.#stream.get(seq);
      if (!message) {
        this.#settle(seq);
        continue;
      }
      return this.#deliver(message, pending);
    }
    if (this.#pending.size >= this.#settings.maxAckPending) return undefined;
    const filter = this.#settings.filterSubject;
    const message = this.#stream.nextAfter(this.#cursor, (subject) => subjectMatches(filter, subject));
    if (!message) {
      this.#cursor = this.#stream.lastSeq;
      return undefined;
    }
    this.#cursor = message.seq;
    const pending: Pending = { deliveries: 0, timer: undefined, due: false };
    this.#pending.set(message.seq, pending);
    return this.#deliver(message, pending);
  }

  /** Calls `wake` once when a message may have become ready; returns the function that cancels it. */
  waitForMessage(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }

  ack(seq: number): void {
    this.#settle(seq);
  }

  term(seq: number): void {
    this.#settle(seq);
  }

  nak(seq: number, delayMs = 0): void {
    const pending = this.#pending.get(seq);
    if (!pending || pending.due) return;
    clearTimeout(pending.timer);
    if (delayMs > 0) pending.timer = unrefTimer(() => this.#makeDue(seq), delayMs);
    else this.#makeDue(seq);
  }

  working(seq: number): void {
    const pending = this.#pending.get(seq);
    if (!pending || pending.due) return;
    clearTimeout(pending.timer);
    pending.timer = unrefTimer(() => this.#makeDue(seq), this.#settings.ackWaitMs);
  }

  /** Stops all timers; the consumer is gone with its bus. */
  dispose(): void {
    this.#unlisten();
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
    this.#wake();
  }

  #deliver(message: StoredMessage, pending: Pending): Delivery {
    pending.deliveries++;
    pending.due = false;
    clearTimeout(pending.timer);
    pending.timer = unrefTimer(() => this.#makeDue(message.seq), this.#settings.ackWaitMs);
    return { message, deliveryCount: pending.deliveries };
  }

  #makeDue(seq: number): void {
    const pending = this.#pending.get(seq);
    if (!pending) return;
    pending.timer = undefined;
    const { maxDeliver } = this.#settings;
    if (maxDeliver > 0 && pending.deliveries >= maxDeliver) {
      // JetStream stops delivering a message that reached max deliver; so do we.
      this.#settle(seq);
      return;
    }
    pending.due = true;
    this.#wake();
  }

  #settle(seq: number): void {
    const pending = this.#pending.get(seq);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(seq);
    // A free slot under max ack pending may let a waiting reader go on.
    this.#wake();
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}

function unrefTimer(fn: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return timer;
}
