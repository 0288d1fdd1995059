import type { Redis } from 'ioredis';
import { isImpulseError } from '../../core/errors.ts';
import { type ResolvedBackoff, resolveBackoff } from '../queue/backoff.ts';
import type { Session } from '../queue/connection.ts';
import { busMayRecover, InFlight } from '../queue/hold.ts';
import { leasedConnectionSource } from '../queue/leased-connection.ts';
import { messageBody } from '../queue/message-body.ts';
import type { EventSourceDriver, SourceConfig, SourceContext, SourceInit } from '../types.ts';
import { connectionEnded, openRedis, resolveRedisConnection } from './connection.ts';

export {
  connectionEnded,
  openRedis,
  type RedisConnectionConfig,
  type ResolvedRedisConnection,
  resolveRedisConnection,
} from './connection.ts';

/** Argo Events' Redis pub/sub payload. */
export interface RedisPayload {
  channel: string;
  /** The pattern that matched, for a channel given as a glob; empty otherwise. */
  pattern: string;
  body: unknown;
  metadata?: Record<string, string>;
}

export interface RedisSourceOptions {
  /** Reconnection pacing; the manifest has no `connectionBackoff` here. @default Argo Events' default */
  backoff?: ResolvedBackoff;
}

/** A channel name with glob characters is subscribed as a pattern. */
const GLOB = /[*?[]/;

/**
 * The `redis` source: subscribes to `channels` (a name with `*`, `?` or `[` as a pattern). Pub/sub
 * is at-most-once by nature: Redis keeps nothing for a subscriber, so a message that arrives while
 * the bus cannot take it, or while the source is reconnecting, is gone; the first kind is counted
 * in `impulse_eventsource_events_dropped_total`.
 */
export function createRedisSource(
  init: SourceInit<SourceConfig<'redis'>>,
  options: RedisSourceOptions = {},
): EventSourceDriver {
  const { config, path } = init;
  const connection = resolveRedisConnection(config, path, init.secrets);
  const backoff = options.backoff ?? resolveBackoff(undefined, path);
  const channels = config.channels.filter((c) => !GLOB.test(c));
  const patterns = config.channels.filter((c) => GLOB.test(c));
  const jsonBody = config.jsonBody ?? false;
  const metadata = config.metadata && Object.keys(config.metadata).length > 0 ? config.metadata : undefined;
  return leasedConnectionSource(
    init,
    { backoff, target: connection.target, secrets: [connection.password] },
    async (ctx) => subscribe(ctx, await openRedis(connection), { channels, patterns, jsonBody, metadata }),
  );
}

interface Subscription {
  channels: string[];
  patterns: string[];
  jsonBody: boolean;
  metadata: Record<string, string> | undefined;
}

async function subscribe(ctx: SourceContext, redis: Redis, sub: Subscription): Promise<Session> {
  const inFlight = new InFlight();
  let open = true;
  const deliver = (channel: string, pattern: string, message: Buffer) => {
    if (!open) return;
    let payload: RedisPayload;
    try {
      payload = { channel, pattern, body: messageBody(message, sub.jsonBody) };
    } catch (err) {
      ctx.rejected();
      ctx.logger.warn({ channel, err: (err as Error).message }, 'message refused');
      return;
    }
    if (sub.metadata) payload.metadata = sub.metadata;
    void inFlight.track(
      ctx.dispatch(payload).then(
        () => undefined,
        (err: unknown) => {
          if (busMayRecover(err) || isImpulseError(err, 'CLOSED')) ctx.dropped();
          else {
            ctx.rejected();
            ctx.logger.error({ channel, err: (err as Error).message }, 'message refused');
          }
        },
      ),
    );
  };
  redis.on('messageBuffer', (channel: Buffer, message: Buffer) => deliver(channel.toString(), '', message));
  redis.on('pmessageBuffer', (pattern: Buffer, channel: Buffer, message: Buffer) =>
    deliver(channel.toString(), pattern.toString(), message),
  );
  try {
    if (sub.channels.length > 0) await redis.subscribe(...sub.channels);
    if (sub.patterns.length > 0) await redis.psubscribe(...sub.patterns);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return {
    lost: connectionEnded(redis),
    async close() {
      open = false;
      await inFlight.drain();
      redis.disconnect();
    },
  };
}
