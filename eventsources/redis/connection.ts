import type { Redis, RedisOptions } from 'ioredis';
import { type ClientTls, resolveClientTls } from '../../core/client-tls.ts';
import { ImpulseError } from '../../core/errors.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import type { SecretKeySelector, TLSConfig } from '../../crds/index.ts';

/** The connection fields the `redis` and `redisStream` sources share. */
export interface RedisConnectionConfig {
  hostAddress: string;
  db?: number;
  username?: string;
  password?: SecretKeySelector;
  tls?: TLSConfig;
}

/** Where and how to connect, read once. */
export interface ResolvedRedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: ClientTls;
  /** The server as messages show it: `redis://host:port/db` (never the password). */
  target: string;
}

/** Reads `hostAddress` (`host:port`, the port defaulting to 6379), `db`, `username`, `password`, `tls`. */
export function resolveRedisConnection(
  config: RedisConnectionConfig,
  path: string,
  secrets: SecretResolver,
): ResolvedRedisConnection {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(config.hostAddress.trim());
  const port = Number(match?.[2] ?? 6379);
  if (!match || port < 1 || port > 65535) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.hostAddress: expected host:port, found "${config.hostAddress}"`,
    );
  }
  const db = config.db ?? 0;
  const resolved: ResolvedRedisConnection = {
    host: match[1]!,
    port,
    db,
    target: `redis${config.tls ? 's' : ''}://${config.hostAddress}/${db}`,
  };
  if (config.username) resolved.username = config.username;
  if (config.password) resolved.password = secrets.get(config.password).replace(/\n$/, '');
  const tls = resolveClientTls(config.tls, path, secrets);
  if (tls) resolved.tls = tls;
  return resolved;
}

/**
 * Opens one connection that never reconnects by itself (the source's own loop does, with its
 * backoff) and never queues commands while down. Rejects when the server does not answer.
 */
export async function openRedis(config: ResolvedRedisConnection): Promise<Redis> {
  // Loaded on first use: a process without a Redis event never pays for the client.
  const { Redis } = await import('ioredis');
  const options: RedisOptions = {
    host: config.host,
    port: config.port,
    db: config.db,
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    connectTimeout: 10_000,
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
    ...(config.tls ? { tls: config.tls } : {}),
  };
  const redis = new Redis(options);
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return redis;
}

/** Settles once the connection has ended for good (it never reconnects by itself). */
export function connectionEnded(redis: Redis): Promise<unknown> {
  return new Promise((resolve) => {
    if (redis.status === 'end') resolve(new Error('the connection ended'));
    else redis.once('end', () => resolve(new Error('the connection to Redis ended')));
  });
}
