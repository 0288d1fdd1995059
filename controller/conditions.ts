/** A status condition as Kubernetes API conventions define it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What a reconcile concluded about one condition type. */
export type ConditionUpdate = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

/** The condition types every object carries; `Ready` is what `kubectl get` shows. */
export const CONDITION = {
  /** The spec is valid and everything it refers to (its EventBus) is there. */
  configured: 'Configured',
  /** The workload exists and matches the spec. */
  deployed: 'Deployed',
  /** The workload's replicas are up (a Deployment's or StatefulSet's own view). */
  available: 'Available',
  /** An EventBus's stream exists with the settings of its spec (the controller created or updated it). */
  streamReady: 'StreamReady',
  /** Every other condition is true. */
  ready: 'Ready',
} as const;

/**
 * Merges condition updates into the current list: `lastTransitionTime` moves only when a condition's
 * status changes, every condition carries the generation it was computed for, and types not updated
 * are kept.
 */
export function mergeConditions(
  current: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  const out = [...(current ?? [])];
  for (const update of updates) {
    const i = out.findIndex((c) => c.type === update.type);
    const previous = i >= 0 ? out[i] : undefined;
    const next: Condition = {
      ...update,
      lastTransitionTime:
        previous && previous.status === update.status ? previous.lastTransitionTime : now.toISOString(),
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
    if (i >= 0) out[i] = next;
    else out.push(next);
  }
  return out;
}

/** `Ready` from the other conditions: true only when all are true; else the first one that is not. */
export function readyFrom(updates: readonly ConditionUpdate[]): ConditionUpdate {
  const failing = updates.find((c) => c.status !== 'True');
  if (!failing)
    return { type: CONDITION.ready, status: 'True', reason: 'Available', message: 'running as specified' };
  return { type: CONDITION.ready, status: failing.status, reason: failing.reason, message: failing.message };
}
