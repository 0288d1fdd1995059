import { ImpulseError, isImpulseError } from '../../core/errors.ts';
import type { DispatchOptions, DispatchResult, SourceContext } from '../types.ts';
import { pause } from './backoff.ts';

/** Dispatch for sources that can wait: an event is kept until the bus takes it. */
export interface Hold {
  /**
   * Resolves once the event is durable. While the bus is away it waits (the caller keeps the message
   * unacknowledged, so the broker holds the rest). Rejects with `CLOSED` when `signal` aborts first,
   * and at once with a permanent error (`PAYLOAD_TOO_LARGE`, `INVALID_INPUT`).
   */
  dispatch(payload: unknown, options?: DispatchOptions): Promise<DispatchResult>;
  /** Whether events are being held because the bus is away. */
  readonly waiting: boolean;
}

/** Failures that the bus recovers from by itself. */
export function busMayRecover(err: unknown): boolean {
  return isImpulseError(err, 'BUS_UNAVAILABLE') || isImpulseError(err, 'TIMEOUT');
}

/** Retry pauses while the bus is away: quick at first, then every two seconds. */
const PROBE_DELAYS_MS = [100, 200, 400, 800, 1600, 2000];

/**
 * Builds the holding dispatch of one source. During an outage one event probes the bus with growing
 * pauses while every other one waits for it, so an outage costs one failed publish every two
 * seconds instead of one per held message.
 */
export function createHold(ctx: SourceContext, signal: AbortSignal): Hold {
  let outage: { done: Promise<void>; open(): void } | undefined;

  const closed = () => new ImpulseError('CLOSED', 'the source stopped while the bus was away');
  const waitForBus = async (until: Promise<void>) => {
    if (signal.aborted) throw closed();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([until, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
    if (signal.aborted) throw closed();
  };

  const probe = async (payload: unknown, options: DispatchOptions | undefined) => {
    for (let i = 0; ; i++) {
      const delay = PROBE_DELAYS_MS[Math.min(i, PROBE_DELAYS_MS.length - 1)]!;
      if (!(await pause(delay, signal))) throw closed();
      try {
        return await ctx.dispatch(payload, options);
      } catch (err) {
        if (!busMayRecover(err)) throw err;
      }
    }
  };

  return {
    get waiting() {
      return outage !== undefined;
    },
    async dispatch(payload, options) {
      for (;;) {
        while (outage) await waitForBus(outage.done);
        try {
          return await ctx.dispatch(payload, options);
        } catch (err) {
          if (!busMayRecover(err)) throw err;
          if (signal.aborted) throw closed();
          // Another event is already probing: wait for its verdict.
          if (outage) continue;
          let open!: () => void;
          const done = new Promise<void>((resolve) => {
            open = resolve;
          });
          outage = { done, open };
          ctx.logger.warn('the event bus cannot take events: holding them until it is back');
          try {
            const result = await probe(payload, options);
            ctx.logger.info('the event bus takes events again');
            return result;
          } finally {
            outage = undefined;
            open();
          }
        }
      }
    },
  };
}

/** The work in flight (a dispatch and its ack), so a stopping source can let it finish. */
export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();

  get size(): number {
    return this.#pending.size;
  }

  /** Tracks `work` until it settles; its rejection is the caller's to handle. */
  track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
    return tracked;
  }

  /** Resolves once fewer than `limit` are in flight. */
  async below(limit: number): Promise<void> {
    while (this.#pending.size >= limit)
      await Promise.race([...this.#pending].map((p) => p.catch(() => undefined)));
  }

  /** Resolves once everything tracked so far (and anything tracked meanwhile) has settled. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
