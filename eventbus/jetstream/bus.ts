import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ClientTls } from '../../core/client-tls.ts';
import { ImpulseError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { CloudEvent } from '../cloudevent.ts';
import type { DeadLetterQueue } from '../dead-letters.ts';
import { decodeEvent } from '../event-codec.ts';
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
import { BusConnection } from './connection.ts';
import { consumerSettings, ensureConsumer } from './consumer.ts';
import { openJetStreamDeadLetters } from './dead-letters.ts';
import { fromNatsError, isNotFound } from './errors.ts';
import { openJetStreamKv } from './kv.ts';
import { type PublishContext, publishEvent } from './publish.ts';
import { DEFAULT_STREAM_SETTINGS, ensureStream, type StreamSettings } from './stream.ts';
import { JetStreamSubscription } from './subscription.ts';

export interface JetStreamBusOptions {
  /** NATS server URL(s), comma-separated. */
  url: string;
  /** The EventBus name: stream name and subject prefix. */
  name: string;
  /** A NATS `.creds` file. */
  credentialsFile?: string;
  /** A `.creds` file's content (from a secret); `credentialsFile` wins when both are set. */
  credentials?: string;
  /** Client TLS for a NATS that serves TLS (a private CA, client certificates). */
  tls?: ClientTls;
  /** Where `tls` came from, named in connection errors. */
  tlsSetting?: string;
  /** @default a silent logger */
  logger?: Logger;
  /** Settings for creating the stream when it is missing; an existing stream is never changed. */
  streamDefaults?: Partial<StreamSettings>;
  /** The client name shown by the server. @default `impulse-<name>` */
  clientName?: string;
  /** Stops waiting for NATS (the promise rejects with `CLOSED`). */
  signal?: AbortSignal;
}

/**
 * Connects to NATS and returns the bus once connected and the stream exists. While the server is
 * away at startup this waits (retrying forever, until `signal` aborts); later outages are reported
 * through `connected` and `BUS_UNAVAILABLE`, and the connection comes back by itself.
 */
export async function createJetStreamBus(options: JetStreamBusOptions): Promise<EventBus & AsyncDisposable> {
  assertStreamName(options.name);
  const logger = options.logger ?? silentLogger();
  const connection = await BusConnection.open({
    url: options.url,
    clientName: options.clientName ?? `impulse-${options.name}`,
    logger,
    credentialsFile: options.credentialsFile,
    credentials: options.credentials,
    tls: options.tls,
    tlsSetting: options.tlsSetting,
    signal: options.signal,
  });
  try {
    const js = jetstream(connection.nc);
    const jsm = await jetstreamManager(connection.nc);
    const settings = { ...DEFAULT_STREAM_SETTINGS, ...options.streamDefaults };
    await ensureStream(jsm, options.name, settings, logger);
    return new JetStreamBus(options.name, connection, js, jsm, settings, logger);
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw fromNatsError(err, `preparing stream ${options.name}`);
  }
}

class JetStreamBus implements EventBus, AsyncDisposable {
  readonly name: string;
  readonly driver = 'jetstream' as const;
  readonly #connection: BusConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #settings: StreamSettings;
  readonly #logger: Logger;
  readonly #subscriptions = new Set<JetStreamSubscription>();
  readonly #publishContext: PublishContext;
  #deadLetters: Promise<DeadLetterQueue> | undefined;
  #closing: Promise<void> | undefined;

  constructor(
    name: string,
    connection: BusConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    settings: StreamSettings,
    logger: Logger,
  ) {
    this.name = name;
    this.#connection = connection;
    this.#js = js;
    this.#jsm = jsm;
    this.#settings = settings;
    this.#logger = logger;
    this.#publishContext = { js, stream: name, connection, isClosed: () => this.#closing !== undefined };
  }

  get connected(): boolean {
    return this.#closing === undefined && this.#connection.connected;
  }

  get maxPayload(): number {
    return this.#connection.maxPayload;
  }

  publish(subject: string, event: CloudEvent, options: PublishOptions): Promise<PublishAck> {
    return publishEvent(this.#publishContext, subject, event, options);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    assertStreamName(options.durable, 'durable');
    assertBusSubject(this.name, options.filterSubject, 'filterSubject', true);
    if (options.signal?.aborted) throw new ImpulseError('CLOSED', 'subscribe aborted');
    this.#assertConnected();
    const settings = consumerSettings(options);
    const recover = async () => {
      await ensureStream(this.#jsm, this.name, this.#settings, this.#logger);
      return ensureConsumer(this.#jsm, this.name, settings, this.#logger);
    };
    const info = await ensureConsumer(this.#jsm, this.name, settings, this.#logger);
    this.#assertOpen();
    const onAbort = () => void subscription.close();
    const subscription: JetStreamSubscription = new JetStreamSubscription({
      js: this.#js,
      stream: this.name,
      settings,
      logger: this.#logger,
      connection: this.#connection,
      recover,
      onClosed: () => {
        this.#subscriptions.delete(subscription);
        options.signal?.removeEventListener('abort', onAbort);
      },
    });
    this.#subscriptions.add(subscription);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await subscription.start(info);
    } catch (err) {
      await subscription.close();
      throw fromNatsError(err, `consuming ${options.durable}`);
    }
    return subscription;
  }

  async getEvent(seq: number): Promise<CloudEvent | undefined> {
    this.#assertOpen();
    this.#assertConnected();
    try {
      const stored = await this.#jsm.streams.getMessage(this.name, { seq });
      return stored ? decodeEvent(stored.data) : undefined;
    } catch (err) {
      const error = fromNatsError(err, `reading message ${seq} of stream ${this.name}`);
      if (error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async kv(bucket: string, options?: KvOptions): Promise<KvStore> {
    this.#assertOpen();
    this.#assertConnected();
    return openJetStreamKv(this.#js, bucket, options);
  }

  async deleteConsumer(durable: string): Promise<boolean> {
    this.#assertOpen();
    assertStreamName(durable, 'durable');
    this.#assertConnected();
    try {
      return await this.#jsm.consumers.delete(this.name, durable);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw fromNatsError(err, `deleting consumer ${durable}`);
    }
  }

  async deadLetters(): Promise<DeadLetterQueue> {
    this.#assertOpen();
    this.#assertConnected();
    this.#deadLetters ??= openJetStreamDeadLetters(
      this.#js,
      this.#jsm,
      this.#connection,
      this.name,
      this.#logger,
    ).catch((err: unknown) => {
      this.#deadLetters = undefined;
      throw err;
    });
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
    // Every step runs even if an earlier one fails.
    await Promise.allSettled([...this.#subscriptions].map((s) => s.close()));
    await this.#connection.close().catch((err: unknown) => {
      this.#logger.warn({ err }, 'closing the NATS connection failed');
    });
  }

  #assertOpen(): void {
    if (this.#closing) throw new ImpulseError('CLOSED', 'the event bus is closed');
  }

  #assertConnected(): void {
    if (!this.#connection.connected) throw new ImpulseError('BUS_UNAVAILABLE', 'not connected to NATS');
  }
}
