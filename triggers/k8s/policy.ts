import { setTimeout as sleep } from 'node:timers/promises';
import { ImpulseError } from '../../core/errors.ts';
import type { KubeRest } from '../../core/kube/rest.ts';
import { describe, type ObjectRef } from '../../core/kube/types.ts';
import type { Logger } from '../../core/logger.ts';
import type { K8SResourcePolicy } from '../../crds/index.ts';
import { retryDelay, retryPolicy } from '../retry.ts';

/** Argo Events' default backoff for the policy: 5 looks, 1 s apart, with jitter 1. */
const DEFAULT_BACKOFF = { steps: 5, duration: '1s', factor: 1, jitter: 1 };

export type PolicyVerdict = 'labels-found' | 'timed-out';

/**
 * `policy.k8s`: looks at the object the trigger made until every label in `labels` has its value,
 * as Argo Events does, `backoff.steps` times with the backoff's waits in between (while telling the
 * sensor it is still working). When the labels never appear: with `errorOnBackoffTimeout` the firing
 * fails for good (a retry would make another object), otherwise it succeeds with a warning.
 */
export async function applyLabelPolicy(
  policy: K8SResourcePolicy,
  rest: KubeRest,
  ref: ObjectRef,
  hooks: { signal?: AbortSignal; working(): void; logger: Logger },
): Promise<PolicyVerdict> {
  const wanted = Object.entries(policy.labels);
  const backoff = retryPolicy(policy.backoff ?? DEFAULT_BACKOFF);
  let labels: Record<string, string> = {};
  for (let look = 1; look <= backoff.attempts; look++) {
    const live = await rest.get(ref, { signal: hooks.signal });
    if (!live) {
      throw new ImpulseError(
        'PERMANENT',
        `policy.k8s: ${describe(ref)} was deleted before the labels ${format(policy.labels)} appeared on it`,
      );
    }
    labels = live.metadata.labels ?? {};
    if (wanted.every(([key, value]) => labels[key] === value)) return 'labels-found';
    if (look < backoff.attempts) {
      hooks.working();
      await sleep(retryDelay(backoff, look), undefined, { signal: hooks.signal });
    }
  }
  const missing = wanted.filter(([key, value]) => labels[key] !== value).map(([key]) => key);
  const message = `policy.k8s: ${describe(ref)} did not get the labels ${format(policy.labels)} after ${backoff.attempts} looks (missing or different: ${missing.join(', ')})`;
  if (policy.errorOnBackoffTimeout) {
    throw new ImpulseError('PERMANENT', `${message}; errorOnBackoffTimeout marks the firing failed`, {
      details: { missing },
    });
  }
  hooks.logger.warn({ missing }, `${message}; counted as success (errorOnBackoffTimeout is not set)`);
  return 'timed-out';
}

function format(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
