import { setTimeout as sleep } from 'node:timers/promises';
import { ImpulseError } from '../core/errors.ts';
import type { RateLimit } from '../crds/index.ts';

const UNIT_MS = { Second: 1000, Minute: 60_000, Hour: 3_600_000 } as const;

/**
 * A trigger's `rateLimit`: firings are spaced evenly, `unit / requestsPerUnit` apart, as Argo Events'
 * leaky bucket does. A firing over the limit waits for its turn (in arrival order); nothing is
 * dropped.
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private next = 0;

  constructor(limit: RateLimit) {
    this.intervalMs = UNIT_MS[limit.unit ?? 'Second'] / limit.requestsPerUnit;
  }

  /** Resolves when the caller may fire; rejects with `CLOSED` when `signal` aborts first. */
  async take(signal: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) {
      try {
        await sleep(at - now, undefined, { signal });
      } catch (err) {
        throw new ImpulseError('CLOSED', 'stopped while waiting for the rate limit', { cause: err });
      }
    }
  }
}
