import { afterAll, beforeAll } from 'vitest';
import { createSecretResolver } from '../../core/secrets.ts';
import type { SourceConfig, SourceInit } from '../../eventsources/index.ts';
import type { EventSourceDriver } from '../../eventsources/types.ts';
import { freePort } from '../support/ports.ts';
import { type RedisTestClient, redisTestClient, SHARED_REDIS } from '../support/redis.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { uniqueName } from '../support/unique.ts';
import { runSourceConformance } from './conformance.ts';
import { sourceInit } from './source-fixture.ts';

type RedisType = 'redis' | 'redisStream';
type Backoff = { initialMs: number; factor: number; jitter: number; steps: number };

/** What differs between the Redis pub/sub and Redis Streams sources in the conformance suite. */
export interface RedisFlavour<T extends RedisType> {
  type: T;
  /** The event's config for a server at `hostAddress` and one channel or stream named `target`. */
  config(hostAddress: string, target: string): SourceConfig<T>;
  create(init: SourceInit<SourceConfig<T>>, options: { backoff: Backoff }): EventSourceDriver;
  /** Sends one message to `target`. */
  produce(client: RedisTestClient, target: string): Promise<void>;
}

const backoff: Backoff = { initialMs: 200, factor: 2, jitter: 0, steps: 3 };

/** Runs the shared source conformance suite for a Redis source, through a TCP proxy it can cut. */
export function runRedisConformance<T extends RedisType>(flavour: RedisFlavour<T>): void {
  let client: RedisTestClient;
  beforeAll(async () => {
    client = await redisTestClient();
  });
  afterAll(() => client.close());

  runSourceConformance(
    flavour.type,
    async (kind, options = {}) => {
      if (kind === 'broken') {
        const port = await freePort();
        const config = {
          ...flavour.config(`127.0.0.1:${port}`, 'never'),
          password: { name: 'redis', key: 'password' },
        };
        const driver = flavour.create(
          sourceInit(flavour.type, config, {
            secrets: createSecretResolver({ env: { IMPULSE_SECRET_REDIS_PASSWORD: 's3cret-pass' } }),
          }),
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
      const target = options.group ? `${flavour.type}-${options.group}` : uniqueName(flavour.type);
      client.forget(target);
      const driver = flavour.create(
        sourceInit(flavour.type, flavour.config(`127.0.0.1:${proxy.port}`, target), {
          services: options.leases ? { leases: options.leases } : {},
        }),
        { backoff },
      );
      return {
        start: (ctx) => driver.start(ctx),
        produce: () => flavour.produce(client, target),
        cut: () => proxy.cut(),
        restore: () => proxy.restore(),
        refused: () => proxy.refused,
        cleanup: () => proxy.close(),
      };
    },
    { reconnect: true, lease: true },
  );
}
