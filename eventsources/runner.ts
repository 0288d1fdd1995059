import { ImpulseError, toImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { SecretResolver } from '../core/secrets.ts';
import { type EventSource, SOURCE_TYPES, type SourceType } from '../crds/index.ts';
import type { EventBus } from '../eventbus/index.ts';
import { busLeases, type LeaseService } from './active-passive.ts';
import { createDispatcher, type Dispatch } from './dispatch.ts';
import { createWebhookServerPool, type WebhookServerPool } from './http/server-pool.ts';
import { loadSources, type SourceRegistry } from './registry.ts';
import type { EventSourceDriver, SourceContext, SourceFactory } from './types.ts';

export interface RunEventSourceOptions {
  bus: EventBus;
  logger: Logger;
  secrets: SecretResolver;
  metrics: Metrics;
  /** Aborting it stops the EventSource as `close()` does. */
  signal?: AbortSignal;
  /** The address webhook ports bind. @default 0.0.0.0 */
  host?: string;
  /** Factories by source type. @default those of `sourceLoaders` the EventSource uses */
  registry?: SourceRegistry;
  /**
   * Where sources that run on one replica at a time get their lease. @default leases in the bus's
   * KV (`eventbus/lease`); `false` runs them at once, as the only replica
   */
  leases?: LeaseService | false;
}

export type EventSourceState = 'starting' | 'running' | 'draining' | 'closed';

/** A running EventSource: one driver per event, and the webhook servers they share. */
export interface EventSourceHandle extends AsyncDisposable {
  readonly name: string;
  readonly state: EventSourceState;
  /** Every event's driver is listening (or subscribed). */
  readonly ready: boolean;
  /** For `/health`: ok while running, every driver ready and the bus connected. */
  health(): { ok: boolean; detail: Record<string, unknown> };
  /**
   * Settles once the EventSource has stopped: resolves after `close()` or an abort, rejects with the
   * error when a driver failed while running (the EventSource then closes itself).
   */
  readonly closed: Promise<void>;
  /** The port a webhook listens on for configured `port` (the chosen one when 0 was configured). */
  webhookPort(port: number): number | undefined;
  /** Stops intake, lets in-flight requests get their answer, closes the servers. Safe to call twice. */
  close(): Promise<void>;
}

interface Slot {
  key: string;
  path: string;
  driver: EventSourceDriver;
  dispatch: Dispatch;
  logger: Logger;
  rejected(): void;
  dropped(): void;
  ready: boolean;
}

/**
 * Runs an EventSource: creates one driver per event (every configuration problem is reported
 * before any port opens), starts them, opens the webhook ports, and resolves with the handle once
 * every driver is ready. Rejects, after cleaning up, with a clear `ImpulseError` when it cannot
 * start: a source type without a factory, a `filter` that does not compile, a missing secret, a
 * port in use.
 *
 * The bus belongs to the caller, which closes it after this handle's `close()` has resolved.
 */
export async function runEventSource(
  object: EventSource,
  options: RunEventSourceOptions,
): Promise<EventSourceHandle> {
  const name = object.metadata.name;
  if (!name) throw new ImpulseError('INVALID_MANIFEST', 'the EventSource has no metadata.name');
  const { bus, logger } = options;
  const pool = createWebhookServerPool({ logger, host: options.host, healthy: () => bus.connected });
  const used = SOURCE_TYPES.filter(
    (type) => Object.keys((object.spec as Record<string, object>)[type] ?? {}).length > 0,
  );
  const registry = options.registry ?? (await loadSources(used));
  const slots = createSlots(object, name, pool, { ...options, registry });

  const stop = new AbortController();
  let state: EventSourceState = 'starting';
  let failure: ImpulseError | undefined;
  let closing: Promise<void> | undefined;
  let settleStartup!: { resolve(): void; reject(err: unknown): void };
  const startup = new Promise<void>((resolve, reject) => {
    settleStartup = { resolve, reject };
  });
  let settleClosed!: { resolve(): void; reject(err: unknown): void };
  const closed = new Promise<void>((resolve, reject) => {
    settleClosed = { resolve, reject };
  });
  // Callers that never await `closed` must not see an unhandled rejection.
  closed.catch(() => undefined);

  const allReady = () => slots.every((s) => s.ready);
  const fail = (error: ImpulseError) => {
    failure ??= error;
    if (state === 'starting') settleStartup.reject(error);
    else if (state === 'running') {
      logger.error(
        { code: error.code, err: error.message },
        'an event source failed; stopping the EventSource',
      );
      void close().catch(() => undefined);
    }
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      state = 'draining';
      settleStartup.resolve();
      options.signal?.removeEventListener('abort', onAbort);
      // Drivers stop intake and drain their own in-flight requests, then the servers close.
      stop.abort();
      const problems: string[] = [];
      const results = await Promise.allSettled(running);
      for (const [i, result] of results.entries()) {
        if (result.status === 'rejected' && toImpulseError(result.reason) !== failure) {
          const slot = slots[i]!;
          slot.logger.warn({ err: result.reason }, 'event source failed while stopping');
          problems.push(`${slot.path}: ${toImpulseError(result.reason).message}`);
        }
      }
      try {
        await pool.close();
      } catch (err) {
        logger.warn({ err }, 'closing the webhook servers failed');
        problems.push(`webhook servers: ${toImpulseError(err).message}`);
      }
      state = 'closed';
      if (failure) settleClosed.reject(failure);
      else settleClosed.resolve();
      if (problems.length > 0) {
        throw new ImpulseError('INTERNAL', `closing EventSource ${name}: ${problems.join('; ')}`);
      }
    })();
    return closing;
  };
  const onAbort = () => void close().catch(() => undefined);

  const running = slots.map((slot) => {
    const ctx: SourceContext = {
      signal: stop.signal,
      logger: slot.logger,
      secrets: options.secrets,
      dispatch: slot.dispatch,
      rejected: slot.rejected,
      dropped: slot.dropped,
      ready: () => {
        slot.ready = true;
        if (state === 'starting' && allReady()) settleStartup.resolve();
      },
    };
    const run = (async () => slot.driver.start(ctx))();
    run.then(
      () => {
        if (!stop.signal.aborted) fail(new ImpulseError('INTERNAL', `${slot.path} stopped by itself`));
      },
      (err: unknown) => {
        if (!stop.signal.aborted) fail(toImpulseError(err, 'INTERNAL', slot.path));
      },
    );
    return run;
  });
  pool.start().catch((err: unknown) => fail(toImpulseError(err)));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await startup;
    // A driver may fail between its ready() and this point.
    if (failure) throw failure;
  } catch (err) {
    await close().catch((closeErr: unknown) =>
      logger.warn({ err: closeErr }, 'cleanup after a failed start'),
    );
    throw err;
  }
  if (state === 'starting') {
    state = 'running';
    logger.info({ events: slots.map((s) => s.key) }, 'EventSource running');
  }

  return {
    name,
    get state() {
      return state;
    },
    get ready() {
      return state === 'running' && allReady();
    },
    health() {
      const connected = bus.connected;
      return {
        ok: state === 'running' && connected && allReady(),
        detail: {
          state,
          bus: connected ? 'connected' : 'disconnected',
          events: Object.fromEntries(slots.map((s) => [s.key, s.ready ? 'ready' : 'starting'])),
        },
      };
    },
    closed,
    webhookPort: (port) => pool.boundPort(port),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** One driver per event. Every event is tried, so one error message can list every problem. */
function createSlots(
  object: EventSource,
  name: string,
  pool: WebhookServerPool,
  options: RunEventSourceOptions,
): Slot[] {
  const registry = options.registry ?? {};
  const namespace = object.metadata.namespace ?? 'default';
  const spec = object.spec as Partial<Record<SourceType, Record<string, unknown>>>;
  const slots: Slot[] = [];
  const errors: ImpulseError[] = [];
  const leases =
    options.leases === false ? undefined : (options.leases ?? busLeases(options.bus, options.logger));
  const kv = (bucket: string) => options.bus.kv(bucket);
  for (const type of SOURCE_TYPES) {
    for (const [eventName, config] of Object.entries(spec[type] ?? {})) {
      const path = `spec.${type}.${eventName}`;
      try {
        const factory = registry[type] as SourceFactory<unknown> | undefined;
        if (!factory) {
          throw new ImpulseError(
            'UNSUPPORTED',
            `source type "${type}" is not implemented in this version of Impulse (event ${path})`,
            { details: { path, type } },
          );
        }
        const logger = options.logger.child({ eventType: type, eventName });
        const dispatch = createDispatcher({
          bus: options.bus,
          eventSourceName: name,
          sourceType: type,
          eventName,
          logger,
          metrics: options.metrics,
          // The resource source's `filter` selects objects to watch (its driver's business); every
          // other type's `filter` is an expression applied before publishing.
          filter: type === 'resource' ? undefined : (config as { filter?: unknown }).filter,
          path,
        });
        const driver = factory({
          eventSourceName: name,
          namespace,
          eventName,
          path,
          config,
          secrets: options.secrets,
          logger,
          services: { webhooks: pool, leases, kv, busName: options.bus.name },
        });
        const labels = { eventsource_name: name, event_name: eventName };
        const failed = options.metrics.eventsProcessingFailed.labels(labels);
        const dropped = options.metrics.eventsDropped.labels(labels);
        slots.push({
          key: `${type}.${eventName}`,
          path,
          driver,
          dispatch,
          logger,
          rejected: () => failed.inc(),
          dropped: () => dropped.inc(),
          ready: false,
        });
      } catch (err) {
        errors.push(toImpulseError(err, 'INTERNAL', path));
      }
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new ImpulseError(errors[0]!.code, errors.map((e) => e.message).join('; '), {
      cause: errors[0],
      details: { errors: errors.map((e) => ({ code: e.code, message: e.message })) },
    });
  }
  if (slots.length === 0) {
    throw new ImpulseError('INVALID_MANIFEST', `EventSource ${name} defines no events`);
  }
  return slots;
}
