import type { Logger } from '../../core/logger.ts';
import type { KvStore } from '../../eventbus/index.ts';
import { pause } from '../queue/backoff.ts';

/** Where a calendar remembers its last fired tick, for catch-up after a restart. */
export interface TickStore {
  /** The last stored tick (ms since the epoch); waits while the store is unreachable. */
  read(signal: AbortSignal): Promise<number | undefined>;
  /** Records a fired tick; a failure is logged, and the next tick's write repairs it. */
  write(tick: number, eventTime: string): Promise<void>;
}

interface StoredTick {
  /** ISO 8601, the tick's id. */
  lastTick: string;
  /** The payload's `eventTime`, as Argo Events stores it in its ConfigMap. */
  eventTime: string;
}

/** The bucket that holds every calendar's last tick on bus `busName`. */
export function calendarBucket(busName: string): string {
  return `${busName}-calendar`;
}

/** A tick store in a JetStream KV bucket, under `<namespace>.<eventSourceName>.<eventName>`. */
export function kvTickStore(open: () => Promise<KvStore>, key: string, logger: Logger): TickStore {
  let kv: KvStore | undefined;
  const bucket = async () => {
    kv ??= await open();
    return kv;
  };
  return {
    async read(signal) {
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          const entry = await (await bucket()).get<StoredTick>(key);
          const at = entry ? Date.parse(entry.value.lastTick) : Number.NaN;
          return Number.isNaN(at) ? undefined : at;
        } catch (err) {
          if (attempt % 10 === 0) logger.warn({ err, key }, 'cannot read the last tick yet; retrying');
          await pause(1000, signal);
        }
      }
      return undefined;
    },
    async write(tick, eventTime) {
      try {
        await (await bucket()).put<StoredTick>(key, { lastTick: new Date(tick).toISOString(), eventTime });
      } catch (err) {
        logger.warn({ err, key }, 'could not record the last tick');
      }
    },
  };
}

/**
 * Several stores as one: a tick is written to each, and read from the first that has one (the KV
 * store first; Argo Events' ConfigMap after a move from Argo Events).
 */
export function eachTickStore(stores: TickStore[]): TickStore | undefined {
  if (stores.length <= 1) return stores[0];
  return {
    async read(signal) {
      for (const store of stores) {
        const tick = await store.read(signal);
        if (tick !== undefined) return tick;
      }
      return undefined;
    },
    async write(tick, eventTime) {
      await Promise.all(stores.map((s) => s.write(tick, eventTime)));
    },
  };
}
