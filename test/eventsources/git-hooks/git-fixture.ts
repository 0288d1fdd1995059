import { createHmac, randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '../../../core/logger.ts';
import { Metrics } from '../../../core/metrics.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import type { EventSource, SourceType } from '../../../crds/index.ts';
import type { CloudEvent, EventBus, Subscription } from '../../../eventbus/index.ts';
import {
  type EventSourceHandle,
  type LeaseService,
  runEventSource,
  type SourceRegistry,
} from '../../../eventsources/index.ts';
import { freePort } from '../../support/ports.ts';

/** Log lines a fixture's EventSource wrote, as parsed JSON and as the raw text (to search for secrets). */
export interface CapturedLogs {
  readonly lines: Array<Record<string, unknown>>;
  readonly text: () => string;
  readonly logger: Logger;
}

/** A logger whose lines are kept for assertions. */
export function captureLogs(): CapturedLogs {
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { lines, text: () => raw.join(''), logger };
}

export interface GitFixtureOptions {
  bus: EventBus;
  type: SourceType;
  /** The event's configuration; `webhook.port` is filled with a free port when missing. */
  config: Record<string, unknown>;
  /** Secrets, as `IMPULSE_SECRET_<NAME>_<KEY>` variables. */
  env?: NodeJS.ProcessEnv;
  /** @default false (the only replica) */
  leases?: LeaseService | false;
  /** @default a fresh name */
  name?: string;
  /** @default push */
  eventName?: string;
  /** Factories by source type (to point a source at a local API). */
  registry?: SourceRegistry;
}

export interface GitFixture extends AsyncDisposable {
  readonly name: string;
  readonly handle: EventSourceHandle;
  readonly metrics: Metrics;
  readonly logs: CapturedLogs;
  /** Every event this EventSource stored, in order. */
  readonly events: CloudEvent[];
  /** The webhook's URL on 127.0.0.1. */
  readonly url: string;
  close(): Promise<void>;
}

/** Runs an EventSource with one event of a Git provider type and reads back what it stores. */
export async function startGitSource(options: GitFixtureOptions): Promise<GitFixture> {
  const name = options.name ?? `git-${randomUUID().slice(0, 8)}`;
  const eventName = options.eventName ?? 'push';
  const webhook = { endpoint: '/push', method: 'POST', ...(options.config.webhook as object) } as Record<
    string,
    unknown
  >;
  webhook.port ??= String(await freePort());
  const object = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventSource',
    metadata: { name, namespace: 'default' },
    spec: { [options.type]: { [eventName]: { ...options.config, webhook } } },
  } as unknown as EventSource;
  const events: CloudEvent[] = [];
  const subscription: Subscription = await options.bus.subscribe({
    durable: `collector-${name}-${randomUUID().slice(0, 4)}`,
    filterSubject: `${options.bus.name}.${name}.>`,
  });
  void (async () => {
    for await (const message of subscription) {
      events.push(message.event);
      await message.ack().catch(() => undefined);
    }
  })().catch(() => undefined);
  const logs = captureLogs();
  const metrics = new Metrics();
  let handle: EventSourceHandle;
  try {
    handle = await runEventSource(object, {
      bus: options.bus,
      logger: logs.logger,
      secrets: createSecretResolver({ env: options.env ?? {} }),
      metrics,
      host: '127.0.0.1',
      leases: options.leases ?? false,
      ...(options.registry ? { registry: options.registry } : {}),
    });
  } catch (err) {
    await subscription.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await handle.close();
      await subscription.close();
    })();
    return closing;
  };
  return {
    name,
    handle,
    metrics,
    logs,
    events,
    url: `http://127.0.0.1:${webhook.port}${webhook.endpoint}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** `<prefix><hex HMAC of body>`. */
export function sign(
  secret: string,
  body: string | Buffer,
  algorithm = 'sha256',
  prefix = `${algorithm}=`,
): string {
  return `${prefix}${createHmac(algorithm, secret).update(body).digest('hex')}`;
}
