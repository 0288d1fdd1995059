import { silentLogger } from '../../core/logger.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import { createWebhookServerPool, createWebhookSource } from '../../eventsources/index.ts';
import { freePort, occupyPort } from '../support/ports.ts';
import { runSourceConformance } from './conformance.ts';
import { postJson } from './http-client.ts';

runSourceConformance('webhook', async (kind) => {
  const occupied = kind === 'broken' ? await occupyPort() : undefined;
  const port = occupied?.port ?? (await freePort());
  const pool = createWebhookServerPool({ host: '127.0.0.1' });
  const driver = createWebhookSource({
    eventSourceName: 'conformance',
    namespace: 'default',
    eventName: 'ev',
    path: 'spec.webhook.ev',
    config: { port: String(port), endpoint: '/ev', method: 'POST' },
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
      // The answer (200, 503, ...) is the webhook tests' business; here only the dispatch counts.
      await postJson(`http://127.0.0.1:${port}/ev`, { hello: 'conformance' });
    },
    expectedStartupError: new RegExp(`port ${port} for spec\\.webhook\\.ev: the port is already in use`),
    async cleanup() {
      await pool.close();
      await occupied?.close();
    },
  };
});
