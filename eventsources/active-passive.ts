import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { acquireLease, type EventBus } from '../eventbus/index.ts';
import type { SourceContext } from './types.ts';

/** A lease this replica holds: act while `signal` has not aborted, `close()` to hand it back. */
export interface HeldLease {
  /** Aborts when the lease is lost (not renewed in time, taken over) or released. */
  readonly signal: AbortSignal;
  /** Releases the lease so another replica can take it at once; safe to call twice. */
  close(): Promise<void>;
}

/** Hands out leases: at most one replica at a time holds a given key. */
export interface LeaseService {
  /** Waits until this replica holds `key`; rejects with `CLOSED` when `signal` aborts first. */
  acquire(key: string, signal: AbortSignal): Promise<HeldLease>;
}

/** The lease key of one event of an EventSource: `eventsource.<namespace>.<name>.<event>`. */
export function sourceLeaseKey(namespace: string, eventSourceName: string, eventName: string): string {
  return `eventsource.${namespace}.${eventSourceName}.${eventName}`;
}

/**
 * Leases kept in the EventBus's KV (`eventbus/lease`), held in this process's name. Every lease of
 * one process shares the holder name, so a restarted process (same name only by chance) never
 * mistakes another's lease for its own.
 */
export function busLeases(bus: EventBus, logger: Logger, ttlMs?: number): LeaseService {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  return {
    acquire: (key, signal) => acquireLease({ bus, key, holder, signal, logger, ...(ttlMs ? { ttlMs } : {}) }),
  };
}

export interface UnderLeaseOptions {
  ctx: SourceContext;
  /** Absent: no other replica can exist, so `work` runs at once. */
  leases: LeaseService | undefined;
  key: string;
  /**
   * The active part of a source: connect, consume, and resolve once `signal` aborts and all is
   * closed. Its `signal` aborts when the source stops or the lease is lost.
   */
  work(signal: AbortSignal): Promise<void>;
}

/**
 * Runs a source active-passive: `work` runs only while this replica holds the lease, stops when the
 * lease is lost, and starts again once the lease is won back. A replica that finds the lease held
 * by another counts as ready after a moment (it is doing its job: standing by); one that gets the
 * lease is ready when `work` says so.
 *
 * Resolves when `ctx.signal` aborts (after `work` has finished and the lease is released); rejects
 * with `work`'s error when it fails while the lease is still held.
 */
export async function runUnderLease(options: UnderLeaseOptions): Promise<void> {
  const { ctx, leases, key, work } = options;
  if (!leases) return work(ctx.signal);
  // A free lease is ours at once, and then `work` says when it is ready (connected, subscribed); a
  // lease another replica holds makes this one a standby, which is ready as it is.
  let standby: NodeJS.Timeout | undefined = setTimeout(() => {
    standby = undefined;
    ctx.logger.info({ lease: key }, 'standing by: another replica holds the lease');
    ctx.ready();
  }, STANDBY_AFTER_MS);
  try {
    await activeWhileHeld(ctx, leases, key, work, () => {
      clearTimeout(standby);
      standby = undefined;
    });
  } finally {
    clearTimeout(standby);
  }
}

/** How long a replica tries for the lease before it counts itself a ready standby. */
const STANDBY_AFTER_MS = 1500;

async function activeWhileHeld(
  ctx: SourceContext,
  leases: LeaseService,
  key: string,
  work: (signal: AbortSignal) => Promise<void>,
  held: () => void,
): Promise<void> {
  while (!ctx.signal.aborted) {
    let lease: HeldLease;
    try {
      lease = await leases.acquire(key, ctx.signal);
      held();
    } catch (err) {
      if (ctx.signal.aborted || isImpulseError(err, 'CLOSED')) return;
      throw err;
    }
    ctx.logger.info({ lease: key }, 'lease held: this replica is active');
    const signal = AbortSignal.any([ctx.signal, lease.signal]);
    let lost = false;
    try {
      await work(signal);
      lost = lease.signal.aborted;
    } catch (err) {
      lost = lease.signal.aborted;
      // Work cut short by a lost lease is not a failure: another replica carries on.
      if (!lost || ctx.signal.aborted) throw err;
    } finally {
      await lease.close();
    }
    // Work that ended by itself while the lease was held is the runner's business.
    if (ctx.signal.aborted || !lost) return;
    ctx.logger.warn({ lease: key }, 'lease lost: stopped, standing by');
  }
}
