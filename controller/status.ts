import type { ClusterApi, KubeObject } from './cluster-api.ts';
import { type Condition, type ConditionUpdate, mergeConditions, readyFrom } from './conditions.ts';
import { stableJson } from './names.ts';

/** The plural resource names of Impulse's kinds (the status subresource is addressed by them). */
export const PLURALS = { EventSource: 'eventsources', Sensor: 'sensors', EventBus: 'eventbus' } as const;
export type ImpulseKind = keyof typeof PLURALS;

/** The current condition of `type`, if any. */
export function currentCondition(object: KubeObject, type: string): Condition | undefined {
  const status = object.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Writes the conditions (plus `Ready`, derived from them) and any other status fields through the
 * status subresource, with `observedGeneration`; does nothing when the status would not change, so a
 * reconcile that finds everything in place writes nothing.
 */
export async function writeStatus(
  api: ClusterApi,
  object: KubeObject,
  updates: ConditionUpdate[],
  extra: Record<string, unknown> = {},
): Promise<boolean> {
  const kind = object.kind as ImpulseKind;
  const generation = object.metadata?.generation;
  const current = (object.status ?? {}) as { conditions?: Condition[] } & Record<string, unknown>;
  const all = [...updates, readyFrom(updates)];
  const conditions = mergeConditions(current.conditions, all, generation, new Date());
  const next = {
    ...current,
    ...extra,
    conditions,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  if (stableJson(next) === stableJson(current)) return false;
  await api.patchStatus(PLURALS[kind], object.metadata?.namespace ?? '', object.metadata?.name ?? '', next);
  return true;
}
