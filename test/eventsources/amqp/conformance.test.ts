import { afterAll, beforeAll } from 'vitest';
import { createAmqpSource } from '../../../eventsources/amqp/index.ts';
import { freePort } from '../../support/ports.ts';
import { type AmqpTestClient, amqpTestClient } from '../../support/rabbitmq.ts';
import { startTcpProxy } from '../../support/tcp-proxy.ts';
import { uniqueName } from '../../support/unique.ts';
import { runSourceConformance } from '../conformance.ts';
import { sourceInit } from '../source-fixture.ts';

let client: AmqpTestClient;
beforeAll(async () => {
  client = await amqpTestClient();
});
afterAll(() => client.close());

runSourceConformance(
  'amqp',
  async (kind, options = {}) => {
    if (kind === 'broken') {
      const port = await freePort();
      const driver = createAmqpSource(
        sourceInit('amqp', {
          url: `amqp://guest:s3cret-pass@127.0.0.1:${port}`,
          exchangeName: 'never',
          exchangeType: 'fanout',
          routingKey: 'x',
          connectionBackoff: { duration: '50ms', steps: 2, jitter: 0 },
        }),
      );
      return {
        start: (ctx) => driver.start(ctx),
        produce: async () => undefined,
        expectedStartupError: new RegExp(`cannot connect to amqp://guest:\\*\\*\\*@127\\.0\\.0\\.1:${port}`),
        secret: 's3cret-pass',
      };
    }
    const proxy = await startTcpProxy({ port: 5672 });
    const exchange = options.group ? `ex-${options.group}` : uniqueName('ex');
    client.forget({ exchange });
    // Replicas share a named queue; a lone source uses Argo Events' default (exclusive, server-named).
    const queue = options.group ? { queueDeclare: { name: `q-${options.group}`, exclusive: false } } : {};
    if (options.group) client.forget({ queue: `q-${options.group}` });
    const driver = createAmqpSource(
      sourceInit(
        'amqp',
        {
          url: `amqp://guest:guest@127.0.0.1:${proxy.port}`,
          exchangeName: exchange,
          exchangeType: 'fanout',
          routingKey: 'conformance',
          connectionBackoff: { duration: '200ms', factor: 2, jitter: 0, steps: 3 },
          ...queue,
        },
        { services: options.leases ? { leases: options.leases } : {} },
      ),
    );
    return {
      start: (ctx) => driver.start(ctx),
      produce: () => client.publish(exchange, 'conformance', '{"hello":"amqp"}'),
      cut: () => proxy.cut(),
      restore: () => proxy.restore(),
      refused: () => proxy.refused,
      cleanup: () => proxy.close(),
    };
  },
  { reconnect: true, lease: true },
);
