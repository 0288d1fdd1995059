import { valueToString } from '../../sensors/paths/index.ts';
import type { ResolvedResource, ResourceEventType } from './config.ts';

/** A Kubernetes object as the API returns it (only the metadata is typed). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** How the source came to know of a change. */
export interface Observation {
  /**
   * False for what the first listing of a watch found (objects that were already there); true for
   * changes seen by the watch or worked out by a listing after a 410, which happened after the start.
   */
  live: boolean;
  /**
   * When the source started (epoch ms): the first time this replica held the lease, not when its
   * process started. `afterStart` compares creation times with it.
   */
  startedAt: number;
}

/**
 * Argo Events' `filter`, applied to the object of a change (the new one for UPDATE, the last state
 * for DELETE): `prefix` on the name; `afterStart` drops what existed before the source started;
 * `createdBy` drops objects created after that time; every `fields` requirement must hold (a gjson
 * path that exists and whose string form matches, or for `!=` does not match, an unanchored RE2
 * pattern). Labels are not checked here: the API server applies them as a selector.
 *
 * Argo Events times `afterStart` by the object's timestamps; Impulse by when it saw the change, so an
 * update applied server-side (whose managed-fields entry is an Apply, which Argo ignores) still
 * counts as after the start. An object found by the first listing passes when it was created in or
 * after the second the source started (creation timestamps have whole seconds).
 */
export function passesFilter(
  r: ResolvedResource,
  type: ResourceEventType,
  object: KubeObject,
  seen: Observation,
): boolean {
  if (r.prefix && !(object.metadata.name ?? '').startsWith(r.prefix)) return false;
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  if (r.afterStart && !seen.live && type === 'ADD') {
    const startSecond = Math.floor(seen.startedAt / 1000) * 1000;
    if (!(created >= startSecond)) return false;
  }
  if (r.createdBy !== undefined && created > r.createdBy) return false;
  for (const field of r.fields) {
    const found = field.path(object);
    if (!found.exists) return false;
    const matched = field.pattern.matcher(valueToString(found.value)).find();
    if (matched === field.negate) return false;
  }
  return true;
}
