import type { KubeObject } from '../../core/kube/types.ts';
import type { Firing } from '../types.ts';

/** Argo Events' labels on what a trigger creates, and Impulse's firing id. */
export const LABELS = {
  sensor: 'events.argoproj.io/sensor',
  trigger: 'events.argoproj.io/trigger',
  actionTimestamp: 'events.argoproj.io/action-timestamp',
  /** The firing that created the object: a retried or redriven firing finds it instead of making another. */
  firingId: 'impulse.dev/firing-id',
} as const;

/**
 * The object with the labels that name who created it: the sensor, the trigger, the time (as Argo
 * Events sets them) and the firing id.
 */
export function withCreationLabels(object: KubeObject, firing: Firing, now = Date.now()): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...object.metadata.labels,
        [LABELS.sensor]: firing.sensor,
        [LABELS.trigger]: firing.trigger,
        [LABELS.actionTimestamp]: String(now),
        [LABELS.firingId]: firing.id,
      },
    },
  };
}
