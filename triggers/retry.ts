import { setTimeout as sleep } from 'node:timers/promises';
import { durationToMs } from '../core/duration.ts';
import { ImpulseError, toImpulseError } from '../core/errors.ts';
import type { Backoff } from '../crds/index.ts';

/** A resolved `retryStrategy`: how many attempts in all, and the wait before each retry. */
export interface RetryPolicy {
  /** Attempts including the first; 1 means no retry. */
  attempts: number;
  /** Wait before the first retry. */
  delayMs: number;
  /** Each wait is the previous one times this. */
  factor: number;
  /** Up to this fraction of a wait is added at random, so retries of many firings spread out. */
  jitter: number;
}

/** No `retryStrategy`: one attempt, as in Argo Events. */
export const NO_RETRY: RetryPolicy = { attempts: 1, delayMs: 1000, factor: 1, jitter: 0 };

/** Reads Argo's `Backoff` (`steps` attempts, `duration` first wait, `factor`, `jitter`). */
export function retryPolicy(backoff: Backoff | undefined): RetryPolicy {
  if (!backoff) return NO_RETRY;
  const delayMs = backoff.duration === undefined ? 1000 : (durationToMs(backoff.duration) ?? 1000);
  return {
    attempts: Math.max(1, backoff.steps ?? 1),
    delayMs,
    factor: backoff.factor && backoff.factor > 0 ? backoff.factor : 1,
    jitter: Math.max(0, backoff.jitter ?? 0),
  };
}

/** The wait before retry number `retry` (1-based). */
export function retryDelay(policy: RetryPolicy, retry: number, random = Math.random): number {
  const base = policy.delayMs * policy.factor ** (retry - 1);
  return base + base * policy.jitter * random();
}

/** Errors that retrying cannot fix: the trigger goes straight to failure handling. */
export function isPermanent(err: unknown): boolean {
  return (
    err instanceof ImpulseError &&
    (err.code === 'PERMANENT' || err.code === 'INVALID_INPUT' || err.code === 'UNSUPPORTED')
  );
}

export interface RetryHooks {
  signal?: AbortSignal;
  /** Called after a failed attempt that will be retried. */
  onRetry?(error: ImpulseError, attempt: number, delayMs: number): void;
}

/**
 * Runs `fn` until it succeeds, a permanent error is thrown, or the attempts run out; the last error is
 * rethrown with `details.attempts` set.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (raw) {
      const error = toImpulseError(raw, 'TRANSIENT');
      if (isPermanent(error) || attempt >= policy.attempts || hooks.signal?.aborted) {
        throw new ImpulseError(error.code, error.message, {
          cause: error,
          details: { ...error.details, attempts: attempt },
        });
      }
      const delayMs = retryDelay(policy, attempt);
      hooks.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, undefined, { signal: hooks.signal }).catch(() => undefined);
    }
  }
}
