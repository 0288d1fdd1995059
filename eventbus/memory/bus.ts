import { ImpulseError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { CloudEvent } from '../cloudevent.ts';
import type { DeadLetterQueue } from '../dead-letters.ts';
import { assertMessageSize, decodeEvent, encodeEvent } from '../event-codec.ts';
import { assertBusSubject, assertStreamName } from '../subjects.ts';
import type {
  EventBus,
  KvOptions,
  KvStore,
  PublishAck,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from '../types.ts';
import { MemoryConsumer, type MemoryConsumerSettings } from './consumer.ts';
import { MemoryDeadLetters } from './dead-letters.ts';
import { MemoryKv, MemoryKvBucket } from './kv.ts';
import { MemoryStream } from './stream.ts';
import { MemorySubscription } from './subscription.ts';

export interface MemoryBusOptions {
  /** The EventBus name: the subject prefix. */
  name: string;
  /** The largest message accepted. @default 1 MiB (a default nats-server's max_payload) */
  maxPayload?: number;
  /** @default 5 minutes */
  duplicateWindowMs?: number;
  /** @default 72 hours */
  maxAgeMs?: number;
  /** Where messages that are not CloudEvents are reported. @default a silent logger */
  logger?: Logger;
}

/**
 * An event bus inside this process with the jetstream driver's semantics (message-id dedup, durable
 * consumers that start at "new" and resume, redelivery, KV with compare-and-set). Nothing survives
 * the process; callers that offer it in place of JetStream should say so.
 */
export function createMemoryBus(options: MemoryBusOptions): EventBus & AsyncDisposable {
  assertStreamName(options.name);
  return new MemoryBus(options);
}

class MemoryBus implements EventBus, AsyncDisposable {
  readonly name: string;
  readonly driver = 'memory' as const;
  readonly maxPayload: number;
  readonly #stream: MemoryStream;
  readonly #logger: Logger;
  readonly #consumers = new Map<string, MemoryConsumer>();
  readonly #subscriptions = new Set<MemorySubscription>();
  readonly #buckets = new Map<string, MemoryKvBucket>();
  readonly #deadLetters = new MemoryDeadLetters(() => this.#assertOpen());
  #closing: Promise<void> | undefined;

  constructor(options: MemoryBusOptions) {
    this.name = options.name;
    this.maxPayload = options.maxPayload ?? 1024 * 1024;
    this.#logger = options.logger ?? silentLogger();
    this.#stream = new MemoryStream({
      duplicateWindowMs: options.duplicateWindowMs ?? 5 * 60 * 1000,
      maxAgeMs: options.maxAgeMs ?? 72 * 60 * 60 * 1000,
    });
  }

  get connected(): boolean {
    return this.#closing === undefined;
  }

  async publish(subject: string, event: CloudEvent, options: PublishOptions): Promise<PublishAck> {
    this.#assertOpen();
    if (options.signal?.aborted)
      throw new ImpulseError('CLOSED', 'publish aborted', { cause: options.signal.reason });
    assertBusSubject(this.name, subject, 'subject', false);
    const data = encodeEvent(event);
    assertMessageSize(data, options.msgId, this.maxPayload);
    const { seq, duplicate } = this.#stream.append(subject, data, options.msgId);
    return { stream: this.name, seq, duplicate };
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    assertStreamName(options.durable, 'durable');
    assertBusSubject(this.name, options.filterSubject, 'filterSubject', true);
    if (options.signal?.aborted) throw new ImpulseError('CLOSED', 'subscribe aborted');
    const settings: MemoryConsumerSettings = {
      filterSubject: options.filterSubject,
      ackWaitMs: options.ackWaitMs ?? 30_000,
      maxDeliver: options.maxDeliver ?? -1,
      maxAckPending: options.maxAckPending ?? 256,
    };
    let consumer = this.#consumers.get(options.durable);
    if (consumer) consumer.update(settings);
    else {
      consumer = new MemoryConsumer(options.durable, this.#stream, settings);
      this.#consumers.set(options.durable, consumer);
    }
    const onAbort = () => void subscription.close();
    const subscription: MemorySubscription = new MemorySubscription(consumer, this.#logger, () => {
      this.#subscriptions.delete(subscription);
      options.signal?.removeEventListener('abort', onAbort);
    });
    this.#subscriptions.add(subscription);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    return subscription;
  }

  async getEvent(seq: number): Promise<CloudEvent | undefined> {
    this.#assertOpen();
    const stored = this.#stream.get(seq);
    return stored ? decodeEvent(stored.data) : undefined;
  }

  async kv(bucket: string, options?: KvOptions): Promise<KvStore> {
    this.#assertOpen();
    let data = this.#buckets.get(bucket);
    if (!data) {
      data = new MemoryKvBucket(bucket, options);
      this.#buckets.set(bucket, data);
    }
    return new MemoryKv(data, () => this.#assertOpen());
  }

  async deleteConsumer(durable: string): Promise<boolean> {
    this.#assertOpen();
    const consumer = this.#consumers.get(durable);
    if (!consumer) return false;
    consumer.dispose();
    this.#consumers.delete(durable);
    return true;
  }

  async deadLetters(): Promise<DeadLetterQueue> {
    this.#assertOpen();
    return this.#deadLetters;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    await Promise.allSettled([...this.#subscriptions].map((s) => s.close()));
    for (const consumer of this.#consumers.values()) consumer.dispose();
  }

  #assertOpen(): void {
    if (this.#closing) throw new ImpulseError('CLOSED', 'the event bus is closed');
  }
}
