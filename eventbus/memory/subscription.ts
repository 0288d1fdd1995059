import { ImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { CloudEvent } from '../cloudevent.ts';
import { decodeEvent } from '../event-codec.ts';
import type { BusMessage, Subscription } from '../types.ts';
import type { Delivery, MemoryConsumer } from './consumer.ts';

/**
 * A reader of a memory consumer. Messages are taken from the consumer only when the iterator asks
 * for the next one, so closing never strands a message in a buffer.
 */
export class MemorySubscription implements Subscription {
  readonly durable: string;
  readonly #consumer: MemoryConsumer;
  readonly #logger: Logger;
  readonly #onClosed: () => void;
  #iterating = false;
  #closing: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;

  constructor(consumer: MemoryConsumer, logger: Logger, onClosed: () => void) {
    this.durable = consumer.durable;
    this.#consumer = consumer;
    this.#logger = logger;
    this.#onClosed = onClosed;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<BusMessage> {
    if (this.#iterating)
      throw new ImpulseError('INVALID_STATE', `subscription ${this.durable} is already being read`);
    this.#iterating = true;
    return this.#iterate();
  }

  close(): Promise<void> {
    this.#closing ??= Promise.resolve().then(() => {
      this.#wakeUp?.();
      this.#onClosed();
    });
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async *#iterate(): AsyncGenerator<BusMessage> {
    try {
      while (!this.closed) {
        const delivery = this.#consumer.take();
        if (delivery) {
          const message = this.#toBusMessage(delivery);
          if (message) yield message;
          continue;
        }
        await new Promise<void>((resolve) => {
          const cancel = this.#consumer.waitForMessage(() => this.#wakeUp?.());
          this.#wakeUp = () => {
            this.#wakeUp = undefined;
            cancel();
            resolve();
          };
        });
      }
    } finally {
      await this.close();
    }
  }

  #toBusMessage(delivery: Delivery): BusMessage | undefined {
    const { seq, subject } = delivery.message;
    try {
      return new MemoryMessage(this.#consumer, delivery, decodeEvent(delivery.message.data));
    } catch (err) {
      this.#logger.warn(
        { durable: this.durable, subject, seq, err },
        'terminated a message that is not a CloudEvent',
      );
      this.#consumer.term(seq);
      return undefined;
    }
  }
}

/** A delivered message; the first settlement (ack, nak, term) wins, as in JetStream. */
class MemoryMessage implements BusMessage {
  readonly subject: string;
  readonly event: CloudEvent;
  readonly seq: number;
  readonly deliveryCount: number;
  readonly #consumer: MemoryConsumer;
  #settled: 'acked' | 'nacked' | 'terminated' | undefined;

  constructor(consumer: MemoryConsumer, delivery: Delivery, event: CloudEvent) {
    this.#consumer = consumer;
    this.subject = delivery.message.subject;
    this.seq = delivery.message.seq;
    this.deliveryCount = delivery.deliveryCount;
    this.event = event;
  }

  async ack(): Promise<void> {
    if (this.#settled === 'acked') return;
    if (this.#settled)
      throw new ImpulseError('INVALID_STATE', `cannot ack a message that was ${this.#settled}`);
    this.#settled = 'acked';
    this.#consumer.ack(this.seq);
  }

  nak(delayMs?: number): void {
    if (this.#settled) return;
    this.#settled = 'nacked';
    this.#consumer.nak(this.seq, delayMs);
  }

  working(): void {
    if (!this.#settled) this.#consumer.working(this.seq);
  }

  term(): void {
    if (this.#settled) return;
    this.#settled = 'terminated';
    this.#consumer.term(this.seq);
  }
}
