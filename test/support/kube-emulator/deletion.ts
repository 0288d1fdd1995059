import type { Committer } from './commit.ts';
import { timestamp } from './commit.ts';
import { arr, clone, isObject, type JsonObject, type KubeObject } from './json.ts';
import { groupResource, present, scope } from './objects.ts';
import { type ResourceType, storageKey } from './resources.ts';
import { errors, successStatus } from './status.ts';
import type { Store } from './store.ts';

export interface DeleteOptions {
  dryRun: boolean;
  propagationPolicy: 'Foreground' | 'Background' | 'Orphan' | undefined;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Namespaces that a real cluster refuses to delete. */
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export interface DeleteResult {
  code: number;
  body: JsonObject;
  /** The object as it was before the delete (for the audit log). */
  previous: KubeObject;
  /** The resourceVersion the delete produced. */
  resourceVersion: string;
}

/**
 * Deletes an object: at once when nothing holds it, otherwise by setting deletionTimestamp and
 * leaving the finalizers (including `orphan` / `foregroundDeletion` for those propagation policies,
 * which the garbage collector handles) to finish it. A namespace always goes through Terminating.
 * The answer is a Success Status for built-in kinds deleted at once, otherwise the object.
 */
export function deleteObject(
  store: Store,
  committer: Committer,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
): DeleteResult {
  const found = store.get(storageKey(type), scope(type, namespace), name);
  if (!found) throw errors.notFound(groupResource(type), name);
  const previous = present(type, found);
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== previous.metadata.uid) {
    const why = `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(previous.metadata.uid)}`;
    throw errors.conflict(groupResource(type), name, why);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== previous.metadata.resourceVersion) {
    const why = `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(previous.metadata.resourceVersion)}`;
    throw errors.conflict(groupResource(type), name, why);
  }
  const isNamespace = type.kind === 'Namespace' && !type.group;
  if (isNamespace && PROTECTED_NAMESPACES.has(name)) {
    throw errors.forbidden(groupResource(type), name, 'this namespace may not be deleted');
  }
  const finalizers = (arr(previous.metadata, 'finalizers') ?? []).map(String);
  const policy = options.propagationPolicy;
  const policyFinalizer =
    policy === 'Orphan' ? 'orphan' : policy === 'Foreground' ? 'foregroundDeletion' : undefined;
  if (policyFinalizer && !finalizers.includes(policyFinalizer)) finalizers.push(policyFinalizer);
  const rvOf = (o: KubeObject) => String(o.metadata.resourceVersion ?? '');

  if (previous.metadata.deletionTimestamp && !policyFinalizer) {
    return { code: 200, body: previous, previous, resourceVersion: rvOf(previous) };
  }
  if (finalizers.length > 0 || isNamespace) {
    const next = clone(previous);
    next.metadata.finalizers = finalizers;
    if (finalizers.length === 0) delete next.metadata.finalizers;
    next.metadata.deletionTimestamp = previous.metadata.deletionTimestamp ?? timestamp();
    next.metadata.deletionGracePeriodSeconds = 0;
    if (isNamespace) next.status = { ...(isObject(next.status) ? next.status : {}), phase: 'Terminating' };
    const object = options.dryRun ? next : store.put(storageKey(type), next);
    return { code: 200, body: present(type, object), previous, resourceVersion: rvOf(object) };
  }
  const removed = options.dryRun ? previous : store.remove(storageKey(type), scope(type, namespace), name);
  if (!removed) throw errors.notFound(groupResource(type), name);
  if (!options.dryRun) committer.afterRemove(type, removed);
  const resourceVersion = rvOf(removed);
  if (type.custom || type.kind === 'CustomResourceDefinition') {
    return { code: 200, body: present(type, removed), previous, resourceVersion };
  }
  const details = {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.plural,
    uid: String(previous.metadata.uid),
  };
  return { code: 200, body: successStatus(details), previous, resourceVersion };
}
