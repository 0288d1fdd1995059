import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import { createNatsSource } from '../../../eventsources/nats/index.ts';
import { SHARED_NATS_URL } from '../../support/jetstream.ts';
import { freePort } from '../../support/ports.ts';
import { startTcpProxy } from '../../support/tcp-proxy.ts';
import { uniqueName } from '../../support/unique.ts';
import { runSourceConformance } from '../conformance.ts';
import { sourceInit } from '../source-fixture.ts';

let publisher: NatsConnection;
beforeAll(async () => {
  publisher = await connect({ servers: SHARED_NATS_URL });
});
afterAll(() => publisher.close());

runSourceConformance(
  'nats',
  async (kind, options = {}) => {
    if (kind === 'broken') {
      const port = await freePort();
      const driver = createNatsSource(
        sourceInit('nats', {
          url: `nats://me:s3cret-pass@127.0.0.1:${port}`,
          subject: 'never',
          connectionBackoff: { duration: '50ms', steps: 2, jitter: 0 },
        }),
      );
      return {
        start: (ctx) => driver.start(ctx),
        produce: async () => undefined,
        expectedStartupError: new RegExp(`cannot connect to nats://me:\\*\\*\\*@127\\.0\\.0\\.1:${port}`),
        secret: 's3cret-pass',
      };
    }
    const proxy = await startTcpProxy({ port: Number(new URL(SHARED_NATS_URL).port || 4222) });
    const subject = options.group ? `conf.${options.group}` : `conf.${uniqueName('s')}`;
    const driver = createNatsSource(
      sourceInit(
        'nats',
        {
          url: `nats://127.0.0.1:${proxy.port}`,
          subject,
          connectionBackoff: { duration: '200ms', factor: 2, jitter: 0, steps: 3 },
        },
        { services: options.leases ? { leases: options.leases } : {} },
      ),
    );
    return {
      start: (ctx) => driver.start(ctx),
      produce: async () => {
        publisher.publish(subject, 'hello');
        await publisher.flush();
      },
      cut: () => proxy.cut(),
      restore: () => proxy.restore(),
      refused: () => proxy.refused,
      cleanup: () => proxy.close(),
    };
  },
  { reconnect: true, lease: true },
);
