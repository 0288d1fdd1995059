import { RequestOne } from '@nats-io/nats-core/internal';
import { describe, expect, it } from 'vitest';
import { settleRequestsWithoutErrors } from '../../eventbus/jetstream/request-settle.ts';

/** A request with its settling calls recorded instead of acted on. */
function request() {
  const cancelled: unknown[] = [];
  const mux = { cancel: (r: unknown) => cancelled.push(r) };
  const r = new RequestOne(mux as never, 'subject', { timeout: 60_000 }, false) as unknown as {
    deferred: { resolve(v: unknown): void; reject(e: unknown): void };
    resolver(err: Error | null, msg: unknown): void;
    cancel(err?: Error): void;
  };
  const rejected: unknown[] = [];
  const resolved: unknown[] = [];
  r.deferred.resolve = (v) => resolved.push(v);
  r.deferred.reject = (e) => rejected.push(e);
  return { r, rejected, resolved, cancelled };
}

describe('settleRequestsWithoutErrors', () => {
  it('is in effect for the installed nats.js', () => {
    expect(settleRequestsWithoutErrors()).toBe(true);
    expect(settleRequestsWithoutErrors()).toBe(true);
  });

  it('builds no error to end a request that was answered', () => {
    settleRequestsWithoutErrors();
    const { r, rejected, resolved, cancelled } = request();
    r.resolver(null, 'answer');
    expect(resolved).toEqual(['answer']);
    expect(rejected).toEqual([]);
    expect(cancelled).toHaveLength(1);
  });

  it('still rejects a request cancelled before its answer, and passes errors on', () => {
    settleRequestsWithoutErrors();
    const early = request();
    early.r.cancel();
    expect(early.rejected).toHaveLength(1);
    expect((early.rejected[0] as Error).message).toBe('cancelled');
    const failed = request();
    failed.r.resolver(new Error('no responders'), undefined);
    expect((failed.rejected[0] as Error).message).toBe('no responders');
  });
});
