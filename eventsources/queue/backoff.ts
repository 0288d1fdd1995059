import { setTimeout as sleepFor } from 'node:timers/promises';
import { durationToMs } from '../../core/duration.ts';
import { ImpulseError } from '../../core/errors.ts';
import type { Backoff } from '../../crds/index.ts';

/** Argo Events' `connectionBackoff`, read once: the first delay, its growth, and the attempts. */
export interface ResolvedBackoff {
  /** The first delay between two attempts. */
  initialMs: number;
  /** Each further delay is this many times the previous one. */
  factor: number;
  /** Each delay is stretched by a random fraction up to this (1 = up to twice as long). */
  jitter: number;
  /** Attempts at the first connection before giving up; also where the delay stops growing. */
  steps: number;
}

/** Argo Events' default (`DefaultBackoff`): 5 attempts, 1 s apart, stretched by up to 100%. */
export const DEFAULT_BACKOFF: ResolvedBackoff = { initialMs: 1000, factor: 1, jitter: 1, steps: 5 };

/** No delay ever grows past this, however the backoff is configured. */
export const MAX_BACKOFF_MS = 60_000;

/** Reads a `connectionBackoff` block, filling in Argo Events' defaults; errors name the field. */
export function resolveBackoff(backoff: Backoff | undefined, path: string): ResolvedBackoff {
  if (!backoff) return DEFAULT_BACKOFF;
  const where = `${path}.connectionBackoff`;
  const initialMs =
    backoff.duration === undefined ? DEFAULT_BACKOFF.initialMs : durationToMs(backoff.duration);
  if (initialMs === undefined || initialMs < 0) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${where}.duration: expected a Go duration such as "10s" or a number of nanoseconds, found ${JSON.stringify(backoff.duration)}`,
    );
  }
  const factor = backoff.factor ?? DEFAULT_BACKOFF.factor;
  const jitter = backoff.jitter ?? DEFAULT_BACKOFF.jitter;
  if (!(factor > 0)) throw new ImpulseError('INVALID_MANIFEST', `${where}.factor: must be above 0`);
  if (!(jitter >= 0)) throw new ImpulseError('INVALID_MANIFEST', `${where}.jitter: must be 0 or more`);
  const steps = backoff.steps && backoff.steps > 0 ? backoff.steps : DEFAULT_BACKOFF.steps;
  return { initialMs, factor, jitter, steps };
}

/**
 * The pause before retry number `attempt` (0 for the first retry): the initial delay grown by
 * `factor` once per earlier retry (up to `steps - 1` times), stretched by jitter, at most a minute.
 */
export function backoffDelay(backoff: ResolvedBackoff, attempt: number, random = Math.random): number {
  const growth = backoff.factor ** Math.min(attempt, Math.max(0, backoff.steps - 1));
  const base = Math.min(backoff.initialMs * growth, MAX_BACKOFF_MS);
  return Math.min(base * (1 + backoff.jitter * random()), MAX_BACKOFF_MS);
}

/** Waits `ms`, or less if `signal` aborts; resolves true when the full time passed. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleepFor(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
