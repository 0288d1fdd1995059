import type { Redis } from 'ioredis';
import { isImpulseError } from '../../core/errors.ts';
import { type ResolvedBackoff, resolveBackoff } from '../queue/backoff.ts';
import type { Session } from '../queue/connection.ts';
import { createHold, type Hold, InFlight } from '../queue/hold.ts';
import { leasedConnectionSource } from '../queue/leased-connection.ts';
import { connectionEnded, openRedis, resolveRedisConnection } from '../redis/index.ts';
import type { EventSourceDriver, SourceConfig, SourceContext, SourceInit } from '../types.ts';

/** Argo Events' Redis stream payload. */
export interface RedisStreamPayload {
  stream: string;
  message_id: string;
  values: Record<string, string>;
  metadata?: Record<string, string>;
}

export interface RedisStreamOptions {
  /** Reconnection pacing; the manifest has no `connectionBackoff` here. @default Argo Events' default */
  backoff?: ResolvedBackoff;
  /** How long one read waits for new entries. @default 2000 */
  blockMs?: number;
}

/** XREADGROUP's answer: per stream, its entries as [id, [field, value, ...]] (null fields: deleted). */
type StreamReply = Array<[string, Array<[string, string[] | null]>]> | null;

interface StreamReader {
  streams: string[];
  group: string;
  consumer: string;
  count: number;
  blockMs: number;
  metadata: Record<string, string> | undefined;
}

/**
 * The `redisStream` source: reads `streams` as consumer `<eventSourceName>-<eventName>` of group
 * `consumerGroup` (created at the stream's end, and the stream with it, when missing). The consumer
 * name is the same on every start and every replica, so its pending entries (read but not
 * acknowledged) are read first, then new ones. An entry is acknowledged (`XACK`) only once the bus
 * has stored its event, whose id is `<stream>:<entry id>`, so an entry read twice is stored once.
 * Reads of `maxMsgCountPerRead` entries go on while earlier entries are being stored, up to 256 in
 * flight; while the bus is away those wait and nothing more is read.
 */
export function createRedisStreamSource(
  init: SourceInit<SourceConfig<'redisStream'>>,
  options: RedisStreamOptions = {},
): EventSourceDriver {
  const { config, path } = init;
  const connection = resolveRedisConnection(config, path, init.secrets);
  const backoff = options.backoff ?? resolveBackoff(undefined, path);
  const reader: StreamReader = {
    streams: config.streams,
    group: config.consumerGroup || 'argo-events-cg',
    consumer: `${init.eventSourceName}-${init.eventName}`,
    count: config.maxMsgCountPerRead || 10,
    blockMs: options.blockMs ?? 2000,
    metadata: config.metadata && Object.keys(config.metadata).length > 0 ? config.metadata : undefined,
  };
  return leasedConnectionSource(
    init,
    { backoff, target: connection.target, secrets: [connection.password] },
    async (ctx, s) => read(ctx, await openRedis(connection), reader, s),
  );
}

async function read(
  ctx: SourceContext,
  redis: Redis,
  reader: StreamReader,
  signal: AbortSignal,
): Promise<Session> {
  try {
    for (const stream of reader.streams) {
      await redis.xgroup('CREATE', stream, reader.group, '$', 'MKSTREAM').catch((err: Error) => {
        if (!err.message.startsWith('BUSYGROUP')) throw err;
      });
    }
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const stop = new AbortController();
  const hold = createHold(ctx, AbortSignal.any([signal, stop.signal]));
  const ended = connectionEnded(redis);
  const inFlight = new InFlight();
  const acks = new StreamAcks(redis, reader.group, ctx);
  let reading = false;
  // "0" reads this consumer's pending entries; once a stream has none left, ">" reads new ones.
  const from = reader.streams.map(() => '0');
  const { group, consumer, count, streams } = reader;
  const xread = (block: boolean) =>
    (block
      ? redis.xreadgroup(
          'GROUP',
          group,
          consumer,
          'COUNT',
          count,
          'BLOCK',
          reader.blockMs,
          'STREAMS',
          ...streams,
          ...from,
        )
      : redis.xreadgroup(
          'GROUP',
          group,
          consumer,
          'COUNT',
          count,
          'STREAMS',
          ...streams,
          ...from,
        )) as Promise<StreamReply>;

  const loop = (async () => {
    while (!stop.signal.aborted) {
      // Entries flow on while earlier ones are being stored, up to a bound (and not at all while
      // the bus is away: the held ones fill the window).
      await inFlight.below(MAX_IN_FLIGHT);
      if (stop.signal.aborted) break;
      // Wait on the server only with nothing in flight, so no XACK queues behind a blocked read.
      const block = inFlight.size === 0 && !acks.pending;
      reading = block;
      const reply = await xread(block);
      reading = false;
      let got = false;
      for (const [stream, entries] of reply ?? []) {
        const i = reader.streams.indexOf(stream);
        if (entries.length === 0) {
          from[i] = '>';
          continue;
        }
        got = true;
        for (const entry of entries) {
          void inFlight.track(
            handleEntry(ctx, hold, reader, stream, entry).then((ack) => {
              if (ack) acks.add(stream, entry[0]);
            }),
          );
        }
        if (from[i] !== '>') from[i] = entries.at(-1)![0];
      }
      // Nothing new: let what is in flight finish, then wait on the server.
      if (!got) {
        await inFlight.drain();
        await acks.flush();
      }
    }
  })();
  return {
    // The loop ends by itself only when a command fails (the connection broke).
    lost: Promise.race([
      ended,
      loop.then(
        () => new Promise<never>(() => undefined),
        (err: unknown) => err,
      ),
    ]),
    async close() {
      stop.abort();
      // A read blocked on the server ends with the connection; entries in hand are finished first.
      if (reading) redis.disconnect();
      await loop.catch(() => undefined);
      await inFlight.drain();
      await acks.flush();
      redis.disconnect();
    },
  };
}

/** Entries being stored at once before the source stops reading. */
const MAX_IN_FLIGHT = 256;

/** XACKs gathered per stream and sent together, once per turn of the event loop. */
class StreamAcks {
  readonly #ids = new Map<string, string[]>();
  #sending: Promise<void> | undefined;

  constructor(
    readonly redis: Redis,
    readonly group: string,
    readonly ctx: SourceContext,
  ) {}

  get pending(): boolean {
    return this.#ids.size > 0 || this.#sending !== undefined;
  }

  add(stream: string, id: string): void {
    const ids = this.#ids.get(stream);
    if (ids) ids.push(id);
    else this.#ids.set(stream, [id]);
    this.#sending ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#send());
  }

  /** Resolves once every id added so far has been acknowledged (or failed to be). */
  async flush(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  async #send(): Promise<void> {
    const batches = [...this.#ids];
    this.#ids.clear();
    try {
      await Promise.all(batches.map(([stream, ids]) => this.redis.xack(stream, this.group, ...ids)));
    } catch (err) {
      // Not acknowledged: read again after a reconnection, and stored once (same event ids).
      this.ctx.logger.warn({ err: (err as Error).message }, 'XACK failed');
    } finally {
      this.#sending = undefined;
      if (this.#ids.size > 0) this.#sending = this.#send();
    }
  }
}

/**
 * Dispatches one entry; resolves true when it is to be acknowledged: stored, or refused for good
 * (so it does not come back for ever). An entry not stored because the source is stopping stays
 * pending.
 */
async function handleEntry(
  ctx: SourceContext,
  hold: Hold,
  reader: StreamReader,
  stream: string,
  [id, fields]: [string, string[] | null],
): Promise<boolean> {
  // An entry deleted from the stream while pending comes back without fields.
  if (fields === null) return true;
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) values[fields[i]!] = fields[i + 1]!;
  const payload: RedisStreamPayload = { stream, message_id: id, values };
  if (reader.metadata) payload.metadata = reader.metadata;
  try {
    await hold.dispatch(payload, { id: `${stream}:${id}` });
    return true;
  } catch (err) {
    if (isImpulseError(err, 'CLOSED')) return false;
    ctx.rejected();
    ctx.logger.error({ stream, id, err: (err as Error).message }, 'entry refused');
    return true;
  }
}
