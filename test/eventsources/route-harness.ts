import { silentLogger } from '../../core/logger.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import { createWebhookServerPool, type SourceFactory } from '../../eventsources/index.ts';
import { freePort, occupyPort } from '../support/ports.ts';
import type { MakeSource } from './conformance.ts';
import { postJson } from './http-client.ts';

export interface RouteHarnessOptions {
  /** Source type, for the path in messages: `spec.<type>.ev`. */
  type: string;
  factory: SourceFactory<unknown>;
  /** The event's configuration, with its route on `port` at `/ev`. */
  config(port: number): unknown;
  /** Headers the one delivery carries besides its JSON content type (a provider's event header). */
  headers?: Record<string, string>;
}

/**
 * The conformance harness of a webhook-style source (the plain webhook, each Git provider): its
 * route on a private server pool, on a free port or, when `broken`, on one already taken; an event
 * is produced by one JSON POST. The answer (200, 503, ...) is the source's own tests' business;
 * here only the dispatch counts.
 */
export function routeHarness(options: RouteHarnessOptions): MakeSource {
  return async (kind) => {
    const occupied = kind === 'broken' ? await occupyPort() : undefined;
    const port = occupied?.port ?? (await freePort());
    const pool = createWebhookServerPool({ host: '127.0.0.1' });
    const driver = options.factory({
      eventSourceName: 'conformance',
      namespace: 'default',
      eventName: 'ev',
      path: `spec.${options.type}.ev`,
      config: options.config(port),
      secrets: createSecretResolver({ env: {} }),
      logger: silentLogger(),
      services: { webhooks: pool },
    });
    return {
      start(ctx) {
        // As the runner does: drivers first, then the servers (a failure reaches start() as well).
        const running = driver.start(ctx);
        pool.start().catch(() => undefined);
        return running;
      },
      async produce() {
        await postJson(`http://127.0.0.1:${port}/ev`, { hello: 'conformance' }, options.headers);
      },
      expectedStartupError: new RegExp(
        `port ${port} for spec\\.${options.type}\\.ev: the port is already in use`,
      ),
      async cleanup() {
        await pool.close();
        await occupied?.close();
      },
    };
  };
}
