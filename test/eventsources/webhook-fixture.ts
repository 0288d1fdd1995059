import { randomUUID } from 'node:crypto';
import { ImpulseError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { createSecretResolver, type SecretResolver } from '../../core/secrets.ts';
import type { EventSource } from '../../crds/index.ts';
import type { CloudEvent, EventBus, PublishAck, Subscription } from '../../eventbus/index.ts';
import { type EventSourceHandle, runEventSource, type SourceConfig } from '../../eventsources/index.ts';
import { freePort } from '../support/ports.ts';

export type WebhookConfig = SourceConfig<'webhook'>;

/** An EventSource manifest object holding `webhook` events. */
export function webhookEventSource(name: string, webhook: Record<string, WebhookConfig>): EventSource {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'EventSource', metadata: { name }, spec: { webhook } };
}

export interface WebhookFixture extends AsyncDisposable {
  readonly name: string;
  readonly handle: EventSourceHandle;
  readonly metrics: Metrics;
  /** Every event stored on the bus for this EventSource, in order (acked as read). */
  readonly events: CloudEvent[];
  /** `http://127.0.0.1:<port of event><path>`. */
  url(event: string, path?: string): string;
  close(): Promise<void>;
}

export interface WebhookFixtureOptions {
  bus: EventBus;
  /** Events by name; a missing `port` gets a free one, `method` defaults to POST. */
  webhook: Record<string, Partial<WebhookConfig>>;
  secrets?: SecretResolver;
  /** Read the stored events into `events`. @default true */
  collect?: boolean;
}

/** Runs an EventSource of webhooks on `bus`, listening on 127.0.0.1, and reads back what it stores. */
export async function startWebhookFixture(options: WebhookFixtureOptions): Promise<WebhookFixture> {
  const name = `es-${randomUUID().slice(0, 8)}`;
  const webhook: Record<string, WebhookConfig> = {};
  for (const [event, config] of Object.entries(options.webhook)) {
    webhook[event] = {
      endpoint: `/${event}`,
      method: 'POST',
      ...config,
      port: config.port ?? String(await freePort()),
    };
  }
  const events: CloudEvent[] = [];
  let subscription: Subscription | undefined;
  if (options.collect !== false) {
    subscription = await options.bus.subscribe({
      durable: `collector-${name}`,
      filterSubject: `${options.bus.name}.${name}.>`,
    });
    void (async () => {
      for await (const message of subscription!) {
        events.push(message.event);
        await message.ack().catch(() => undefined);
      }
    })();
  }
  const metrics = new Metrics();
  let handle: EventSourceHandle;
  try {
    handle = await runEventSource(webhookEventSource(name, webhook), {
      bus: options.bus,
      logger: silentLogger(),
      secrets: options.secrets ?? createSecretResolver({ env: {} }),
      metrics,
      host: '127.0.0.1',
    });
  } catch (err) {
    await subscription?.close();
    throw err;
  }
  const close = async () => {
    await handle.close();
    await subscription?.close();
  };
  return {
    name,
    handle,
    metrics,
    events,
    url: (event, path) => {
      const config = webhook[event]!;
      const protocol = config.serverCertSecret ? 'https' : 'http';
      return `${protocol}://127.0.0.1:${config.port}${path ?? config.endpoint}`;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A bus that passes everything to `inner` but lets a test replace `publish` and `connected`. */
export interface BusDouble extends EventBus {
  /** Replaces publish; the default passes through. */
  publishWith(fn: ((...args: Parameters<EventBus['publish']>) => Promise<PublishAck>) | undefined): void;
  /** Overrides `connected`; undefined passes through. */
  connectedOverride: boolean | undefined;
}

export function busDouble(inner: EventBus): BusDouble {
  type Publish = (...args: Parameters<EventBus['publish']>) => Promise<PublishAck>;
  let override: Publish | undefined;
  let connected: boolean | undefined;
  const publish: Publish = (subject, event, opts) =>
    override ? override(subject, event, opts) : inner.publish(subject, event, opts);
  const publishWith = (fn: Publish | undefined) => {
    override = fn;
  };
  // A proxy, so members the bus gains later pass through without this double changing.
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'publish') return publish;
      if (prop === 'publishWith') return publishWith;
      if (prop === 'connected') return connected ?? target.connected;
      if (prop === 'connectedOverride') return connected;
      const value: unknown = Reflect.get(target, prop, target);
      // Methods run on the real bus, whose private fields a proxy cannot reach.
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(target, prop, value) {
      if (prop !== 'connectedOverride') return Reflect.set(target, prop, value, target);
      connected = value as boolean | undefined;
      return true;
    },
  }) as BusDouble;
}

/** A publish that fails as a bus that is away does. */
export const unavailable = () => Promise.reject(new ImpulseError('BUS_UNAVAILABLE', 'not connected to NATS'));

/**
 * Holds every publish until `release()`; `pending` counts the held ones. Lets a test prove that
 * requests are processed concurrently (N held at once) and that shutdown waits for them.
 */
export function gate(bus: BusDouble, inner: EventBus) {
  const held: Array<() => void> = [];
  let open = false;
  bus.publishWith(async (subject, event, opts) => {
    if (!open) await new Promise<void>((resolve) => held.push(resolve));
    return inner.publish(subject, event, opts);
  });
  return {
    get pending() {
      return held.length;
    },
    release() {
      open = true;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}
