import type { CloudEvent } from './cloudevent.ts';
import type { DeadLetterQueue } from './dead-letters.ts';

/**
 * The EventBus seen by sources and sensors. Two drivers implement it: `jetstream` (durable, the
 * default) and `memory` (one process, nothing survives a restart). Both pass
 * `test/eventbus/conformance.ts`.
 */
export interface EventBus {
  /** The EventBus name: the stream name and the subject prefix. */
  readonly name: string;
  /** `jetstream` or `memory`. */
  readonly driver: 'jetstream' | 'memory';
  /** Whether the bus is reachable right now (for `/health`). */
  readonly connected: boolean;
  /** The largest message, in bytes, the bus accepts (JetStream's `max_payload`). */
  readonly maxPayload: number;

  /**
   * Publishes one event and resolves once the bus has stored it. A message with a `msgId` already
   * stored within the duplicate window resolves with `duplicate: true` and is stored once.
   * Rejects with `BUS_UNAVAILABLE` when the bus cannot take it (disconnected, full, timed out) and
   * `PAYLOAD_TOO_LARGE` when it exceeds `maxPayload`.
   */
  publish(subject: string, event: CloudEvent, options: PublishOptions): Promise<PublishAck>;

  /**
   * Opens (creating on first use, with "deliver new") the durable consumer `options.durable` and
   * yields its messages until `options.signal` aborts or the subscription is closed. A consumer
   * that already exists resumes where it stopped.
   */
  subscribe(options: SubscribeOptions): Promise<Subscription>;

  /**
   * Reads a stored event back by its stream sequence (held events are kept in KV as sequences, never
   * bodies). Undefined when the sequence never existed or has aged out.
   */
  getEvent(seq: number): Promise<CloudEvent | undefined>;

  /** Opens (creating if missing) a key-value bucket. */
  kv(bucket: string, options?: KvOptions): Promise<KvStore>;

  /**
   * Deletes the durable consumer `durable`, so the next `subscribe` creates it anew with "deliver
   * new" (what a sensor does for a dependency whose spec changed). Resolves false when there was
   * none. Meant for a consumer nobody is reading.
   */
  deleteConsumer(durable: string): Promise<boolean>;

  /** Opens (creating if missing) the bus's dead-letter queue. */
  deadLetters(): Promise<DeadLetterQueue>;

  /** Drains subscriptions and closes the connection; safe to call twice. */
  close(): Promise<void>;
}

export interface PublishOptions {
  /** Message id used for deduplication: `<eventSourceName>/<eventName>/<id>`. */
  msgId: string;
  /** Give up (with `BUS_UNAVAILABLE`) after this long; default 5000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PublishAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

export interface SubscribeOptions {
  /** Durable consumer name; must be a valid NATS token (no `.`, `*`, `>` or spaces). */
  durable: string;
  /** Subject (wildcards allowed) the consumer reads. */
  filterSubject: string;
  /** How long a delivered message may stay unacked before it is redelivered; default 30000. */
  ackWaitMs?: number;
  /** Deliveries before the bus gives up on a message; -1 (default) for no limit. */
  maxDeliver?: number;
  /** How many unacked messages may be in flight; default 256. */
  maxAckPending?: number;
  /** Stops the subscription when aborted. */
  signal?: AbortSignal;
}

/** Messages in stream order; ends when the subscription closes. */
export interface Subscription extends AsyncIterable<BusMessage> {
  readonly durable: string;
  close(): Promise<void>;
}

export interface BusMessage {
  readonly subject: string;
  readonly event: CloudEvent;
  /** Stream sequence: identifies the message in the stream. */
  readonly seq: number;
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  /** Marks the message done; resolves once the bus confirmed the ack. */
  ack(): Promise<void>;
  /** Asks for redelivery, after `delayMs` if given. */
  nak(delayMs?: number): void;
  /** Resets the ack timer: work on this message is still going on. */
  working(): void;
  /** Stops redelivery without processing (the message is poison). */
  term(reason?: string): void;
}

export interface KvOptions {
  /** Entries older than this are removed; 0 (default) keeps them. */
  ttlMs?: number;
  /** Revisions kept per key; default 1. */
  history?: number;
}

export interface KvEntry<T> {
  key: string;
  value: T;
  revision: number;
}

/** A JSON key-value store with compare-and-set (JetStream KV, or a map in the memory driver). */
export interface KvStore {
  readonly bucket: string;
  get<T>(key: string): Promise<KvEntry<T> | null>;
  /** Writes unconditionally; resolves with the new revision. */
  put<T>(key: string, value: T): Promise<number>;
  /** Writes only if the key does not exist; rejects with `INVALID_STATE` if it does. */
  create<T>(key: string, value: T): Promise<number>;
  /** Writes only if the key is still at `revision`; rejects with `INVALID_STATE` otherwise. */
  update<T>(key: string, value: T, revision: number): Promise<number>;
  delete(key: string): Promise<void>;
  /** Keys, optionally those starting with `prefix`. */
  keys(prefix?: string): Promise<string[]>;
}
