import type { Logger } from '../core/logger.ts';
import type { SecretResolver } from '../core/secrets.ts';
import type { EventSourceSpec, SourceType } from '../crds/index.ts';
import type { KvStore } from '../eventbus/index.ts';
import type { LeaseService } from './active-passive.ts';
import type { WebhookServerPool } from './http/server-pool.ts';

/** What a driver gets: where to hand its payloads, how to stop, and shared services. */
export interface SourceContext {
  /** Aborts when the source must stop; `start` resolves once everything is closed. */
  signal: AbortSignal;
  logger: Logger;
  secrets: SecretResolver;
  /**
   * Hands one payload to the bus and resolves once it is durable. Rejects with `BUS_UNAVAILABLE`
   * (retry later), `PAYLOAD_TOO_LARGE`, or `INVALID_INPUT`; a driver answers or retries, never drops.
   */
  dispatch(payload: unknown, options?: DispatchOptions): Promise<DispatchResult>;
  /** Marks the driver ready (listening, subscribed) for `/health`. */
  ready(): void;
  /**
   * Counts input the driver could not turn into an event (a malformed body, a bad signature):
   * `argo_events_events_processing_failed_total`.
   */
  rejected(): void;
  /**
   * Counts an event that arrived but could not be kept: a source without acknowledgements (Redis
   * pub/sub, core NATS, MQTT QoS 0) received it while the bus could not take it.
   */
  dropped(): void;
}

export interface DispatchOptions {
  /** Stable event id (a provider delivery id, a stream position); a UUIDv7 when absent. */
  id?: string;
  /** The CloudEvent's `time`. @default now */
  time?: Date;
}

export interface DispatchResult {
  id: string;
  /** False when the event passed through but the source's `filter` dropped it. */
  published: boolean;
  /** True when the bus had already stored this id (a provider redelivery). */
  duplicate: boolean;
}

/** A running source: one per event of an EventSource. */
export interface EventSourceDriver {
  /**
   * Listens until `ctx.signal` aborts, then stops intake, lets in-flight work finish and resolves.
   * Rejects with a clear `ImpulseError` when it cannot start (port taken, server unreachable).
   */
  start(ctx: SourceContext): Promise<void>;
}

/** What a factory gets: the event's name, its configuration, and the process's shared services. */
export interface SourceInit<Config> {
  eventSourceName: string;
  namespace: string;
  eventName: string;
  /** Where the event sits in the manifest, for error messages: `spec.webhook.example`. */
  path: string;
  config: Config;
  secrets: SecretResolver;
  logger: Logger;
  /** Shared listeners (one HTTP server per port) owned by the EventSource process. */
  services: SourceServices;
}

export interface SourceServices {
  /**
   * One HTTP server per port. Webhook-style factories register their routes while they are
   * created; the runner starts the servers once every driver has been started.
   */
  webhooks: WebhookServerPool;
  /**
   * Leases for sources that must run on one replica at a time (every type but the webhook-style
   * ones). Absent: this process is the only one, and such sources start at once.
   */
  leases?: LeaseService;
  /**
   * Opens a KV bucket on the EventBus, for sources that remember a position (the calendar's last
   * tick). Absent: nothing survives a restart.
   */
  kv?: (bucket: string) => Promise<KvStore>;
  /** The EventBus name, which prefixes the names of the buckets a source opens. */
  busName?: string;
}

/** The validated configuration of one event of source type `T`. */
export type SourceConfig<T extends SourceType> = NonNullable<EventSourceSpec[T]>[string];

/**
 * Creates the driver of one event. Throws a clear `ImpulseError` (naming `init.path`) for a
 * configuration it cannot run: a missing secret, an unsupported field, a route clash.
 */
export type SourceFactory<Config> = (init: SourceInit<Config>) => EventSourceDriver;
