import { createHash } from 'node:crypto';
import type { CloudEvent } from '../eventbus/index.ts';
import type { Firing } from './types.ts';

/**
 * A firing's id: the same sensor, trigger and events always give the same id, so a redelivered
 * combination is recognised and receivers can deduplicate (`Idempotency-Key`).
 */
export function firingId(
  namespace: string,
  sensor: string,
  trigger: string,
  events: Record<string, CloudEvent>,
): string {
  const hash = createHash('sha256').update(`${namespace}\u0000${sensor}\u0000${trigger}`);
  for (const dependency of Object.keys(events).sort()) {
    hash.update(
      `\u0000${dependency}=${events[dependency]!.source}/${events[dependency]!.subject}/${events[dependency]!.id}`,
    );
  }
  return hash.digest('hex').slice(0, 32);
}

export function createFiring(
  namespace: string,
  sensor: string,
  trigger: string,
  events: Record<string, CloudEvent>,
): Firing {
  return { id: firingId(namespace, sensor, trigger, events), namespace, sensor, trigger, events };
}
