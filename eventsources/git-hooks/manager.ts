import { setTimeout as sleep } from 'node:timers/promises';
import { toImpulseError } from '../../core/errors.ts';
import { type LeaseService, runUnderLease } from '../active-passive.ts';
import type { SourceContext } from '../types.ts';
import type { HookKeeper } from './reconcile.ts';

export interface HookManagementOptions {
  ctx: SourceContext;
  /** Absent: this process is the only replica, and manages the hooks at once. */
  leases: LeaseService | undefined;
  /** The lease key; see `hookLeaseKey`. */
  key: string;
  keeper: HookKeeper;
  /** Delete the hooks when the EventSource stops (not when the lease moves to another replica). */
  deleteOnFinish: boolean;
  /** How often the hooks are checked again. @default 60000 */
  intervalMs?: number;
}

/** The lease under which one event's hooks are managed: `githooks.<namespace>.<name>.<event>`. */
export function hookLeaseKey(namespace: string, eventSourceName: string, eventName: string): string {
  return `githooks.${namespace}.${eventSourceName}.${eventName}`;
}

/** The first retry after a failure; doubled each time, up to the check interval. */
const FIRST_RETRY_MS = 1000;
/** How long deleting hooks at shutdown may take. */
const DELETE_TIMEOUT_MS = 10_000;

/**
 * Manages a Git provider's hooks from the one replica that holds the lease, so replicas of a
 * rolling update never create a hook twice nor delete one another has just made: the holder
 * creates or updates the hooks, checks them every `intervalMs` (a hook deleted by hand comes back),
 * and at shutdown, with `deleteOnFinish`, deletes them before it releases the lease; the next
 * holder then creates them again. A replica that loses the lease stops and leaves the hooks.
 *
 * Every replica serves the webhook meanwhile; a failure here (a wrong token, the provider away) is
 * logged and retried, never a reason to stop receiving. Resolves once `ctx.signal` aborts and the
 * shutdown work is done.
 */
export async function manageHooks(options: HookManagementOptions): Promise<void> {
  const { ctx, keeper } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  // The route's readiness is the driver's; standing by for the lease is not a reason to be unready.
  const quiet: SourceContext = { ...ctx, ready: () => undefined };
  try {
    await runUnderLease({
      ctx: quiet,
      leases: options.leases,
      key: options.key,
      work: (signal) => keep(signal),
    });
  } catch (err) {
    ctx.logger.error({ err: toImpulseError(err).message }, 'hook management stopped');
  }

  async function keep(signal: AbortSignal): Promise<void> {
    let first = true;
    let failures = 0;
    while (!signal.aborted) {
      let waitMs = intervalMs;
      try {
        await keeper.reconcile(first, signal);
        first = false;
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        const error = toImpulseError(err);
        failures++;
        waitMs = Math.min(intervalMs, FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 16));
        ctx.logger.error(
          { code: error.code, err: error.message, retryInMs: waitMs },
          'could not create or update the hooks',
        );
      }
      await sleep(waitMs, undefined, { signal }).catch(() => undefined);
    }
    // Only a stop deletes hooks: a lost lease means another replica keeps them.
    if (ctx.signal.aborted && options.deleteOnFinish) {
      await keeper.removeAll(AbortSignal.timeout(DELETE_TIMEOUT_MS));
    }
  }
}
