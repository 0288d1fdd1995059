import { runUnderLease, sourceLeaseKey } from '../active-passive.ts';
import type { EventSourceDriver, SourceContext, SourceInit } from '../types.ts';
import type { ResolvedBackoff } from './backoff.ts';
import { keepConnected, type Session } from './connection.ts';

/** The server a queue source connects to, as its errors and logs may name it. */
export interface QueueServer {
  backoff: ResolvedBackoff;
  /** Its URL without the password. */
  target: string;
  /** Values that must never appear in a message. */
  secrets?: ReadonlyArray<string | undefined>;
}

/**
 * The driver every connection-based queue source is: while it holds its event's lease, it keeps one
 * session open with `connect`, reconnecting with the configured backoff, and is ready after each
 * successful connection.
 */
export function leasedConnectionSource<Config>(
  init: SourceInit<Config>,
  server: QueueServer,
  connect: (ctx: SourceContext, signal: AbortSignal) => Promise<Session>,
): EventSourceDriver {
  return {
    start: (ctx) =>
      runUnderLease({
        ctx,
        leases: init.services.leases,
        key: sourceLeaseKey(init.namespace, init.eventSourceName, init.eventName),
        work: (signal) =>
          keepConnected({
            signal,
            logger: ctx.logger,
            backoff: server.backoff,
            path: init.path,
            target: server.target,
            ...(server.secrets ? { secrets: server.secrets } : {}),
            connect: (s) => connect(ctx, s),
            connected: () => ctx.ready(),
          }),
      }),
  };
}
