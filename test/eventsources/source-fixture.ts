import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { createSecretResolver, type SecretResolver } from '../../core/secrets.ts';
import type { SourceType } from '../../crds/index.ts';
import type { EventBus } from '../../eventbus/index.ts';
import {
  createDispatcher,
  createWebhookServerPool,
  type DispatchOptions,
  type SourceConfig,
  type SourceContext,
  type SourceInit,
  type SourceServices,
} from '../../eventsources/index.ts';

export interface InitOptions {
  eventSourceName?: string;
  eventName?: string;
  namespace?: string;
  services?: Partial<SourceServices>;
  secrets?: SecretResolver;
}

/** What a factory gets from the runner, for a driver test: `spec.<type>.<eventName>`. */
export function sourceInit<T extends SourceType>(
  type: T,
  config: SourceConfig<T>,
  options: InitOptions = {},
): SourceInit<SourceConfig<T>> {
  const eventName = options.eventName ?? 'example';
  return {
    eventSourceName: options.eventSourceName ?? 'test-source',
    namespace: options.namespace ?? 'default',
    eventName,
    path: `spec.${type}.${eventName}`,
    config,
    secrets: options.secrets ?? createSecretResolver({ env: {} }),
    logger: silentLogger(),
    services: { webhooks: createWebhookServerPool({ host: '127.0.0.1' }), ...options.services },
  };
}

/** A source context that records what the driver hands over. */
export interface Recording {
  ctx: SourceContext;
  stop(): void;
  events: Array<{ payload: unknown; options: DispatchOptions | undefined }>;
  readyCalls: number;
  rejected: number;
  dropped: number;
}

/**
 * A context whose dispatch goes to `bus` through the real dispatcher (ids, dedup, the bus's
 * refusals), or, without a bus, is only recorded.
 */
export function recording(
  bus?: EventBus,
  init?: { eventSourceName: string; eventName: string; type: string },
) {
  const abort = new AbortController();
  const dispatcher =
    bus && init
      ? createDispatcher({
          bus,
          eventSourceName: init.eventSourceName,
          sourceType: init.type,
          eventName: init.eventName,
          logger: silentLogger(),
          metrics: new Metrics(),
        })
      : undefined;
  const rec: Recording = {
    events: [],
    readyCalls: 0,
    rejected: 0,
    dropped: 0,
    stop: () => abort.abort(),
    ctx: {
      signal: abort.signal,
      logger: silentLogger(),
      secrets: createSecretResolver({ env: {} }),
      async dispatch(payload, options) {
        const result = dispatcher
          ? await dispatcher(payload, options)
          : { id: options?.id ?? `e${rec.events.length + 1}`, published: true, duplicate: false };
        rec.events.push({ payload, options });
        return result;
      },
      ready: () => {
        rec.readyCalls++;
      },
      rejected: () => {
        rec.rejected++;
      },
      dropped: () => {
        rec.dropped++;
      },
    },
  };
  return rec;
}
