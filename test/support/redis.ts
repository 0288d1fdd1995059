import { Redis } from 'ioredis';

/** The machine's shared Redis; tests use keys and channels of their own. */
export const SHARED_REDIS = {
  host: process.env.IMPULSE_TEST_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.IMPULSE_TEST_REDIS_PORT ?? 6379),
};

/** A client for a test, which deletes the keys it was told about when closed. */
export interface RedisTestClient extends AsyncDisposable {
  readonly redis: Redis;
  /** Deletes these keys on close. */
  forget(...keys: string[]): void;
  close(): Promise<void>;
}

export async function redisTestClient(): Promise<RedisTestClient> {
  const redis = new Redis({ ...SHARED_REDIS, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  const keys = new Set<string>();
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (keys.size > 0) await redis.del(...keys).catch(() => undefined);
      redis.disconnect();
    })();
    return closing;
  };
  return {
    redis,
    forget: (...more) => {
      for (const k of more) keys.add(k);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
