import { afterAll, beforeAll } from 'vitest';
import { createSecretResolver } from '../../../core/secrets.ts';
import { createRedisSource } from '../../../eventsources/redis/index.ts';
import { freePort } from '../../support/ports.ts';
import { type RedisTestClient, redisTestClient, SHARED_REDIS } from '../../support/redis.ts';
import { startTcpProxy } from '../../support/tcp-proxy.ts';
import { uniqueName } from '../../support/unique.ts';
import { runSourceConformance } from '../conformance.ts';
import { sourceInit } from '../source-fixture.ts';

let client: RedisTestClient;
beforeAll(async () => {
  client = await redisTestClient();
});
afterAll(() => client.close());

const backoff = { initialMs: 200, factor: 2, jitter: 0, steps: 3 };

runSourceConformance(
  'redis',
  async (kind, options = {}) => {
    if (kind === 'broken') {
      const port = await freePort();
      const driver = createRedisSource(
        sourceInit(
          'redis',
          {
            hostAddress: `127.0.0.1:${port}`,
            channels: ['never'],
            password: { name: 'redis', key: 'password' },
          },
          { secrets: createSecretResolver({ env: { IMPULSE_SECRET_REDIS_PASSWORD: 's3cret-pass' } }) },
        ),
        { backoff: { ...backoff, initialMs: 50, steps: 2 } },
      );
      return {
        start: (ctx) => driver.start(ctx),
        produce: async () => undefined,
        expectedStartupError: new RegExp(`cannot connect to redis://127\\.0\\.0\\.1:${port}/0`),
        secret: 's3cret-pass',
      };
    }
    const proxy = await startTcpProxy({ port: SHARED_REDIS.port });
    const channel = options.group ? `ch-${options.group}` : uniqueName('ch');
    const driver = createRedisSource(
      sourceInit(
        'redis',
        { hostAddress: `127.0.0.1:${proxy.port}`, channels: [channel] },
        { services: options.leases ? { leases: options.leases } : {} },
      ),
      { backoff },
    );
    return {
      start: (ctx) => driver.start(ctx),
      produce: async () => {
        await client.redis.publish(channel, 'hello');
      },
      cut: () => proxy.cut(),
      restore: () => proxy.restore(),
      refused: () => proxy.refused,
      cleanup: () => proxy.close(),
    };
  },
  { reconnect: true, lease: true },
);
