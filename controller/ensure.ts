import { ImpulseError } from '../core/errors.ts';
import { type ClusterApi, describe, type KubeObject } from './cluster-api.ts';
import { ANNOTATIONS, shortHash, stableJson } from './names.ts';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
}

/** The controller owner reference to `owner`: deleting the owner deletes what it owns. */
export function ownerReference(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * Throws unless `owner` controls `existing`. An object owned by an earlier object of the same kind
 * and name is transient (the garbage collector is about to remove it); anything else is permanent:
 * the controller never takes over what it did not create.
 */
export function checkOwner(existing: KubeObject, owner: KubeObject): void {
  const reference = ownerReference(owner);
  const controllerRef = existing.metadata?.ownerReferences?.find((r) => r.controller);
  if (controllerRef?.uid !== reference.uid) {
    const sameOwner = controllerRef?.kind === reference.kind && controllerRef?.name === reference.name;
    // A previous object of the same name: the garbage collector is about to remove its children.
    throw new ImpulseError(
      sameOwner ? 'TRANSIENT' : 'PERMANENT',
      sameOwner
        ? `${describe(existing)} still belongs to an earlier ${reference.kind} ${reference.name}; waiting for it to be deleted`
        : `${describe(existing)} exists and is not managed by ${reference.kind} ${reference.name}; rename or delete it`,
    );
  }
}

export type EnsureResult = 'created' | 'updated' | 'unchanged';

/**
 * Spec fields the API server refuses to change after creation, kept from the existing object on
 * update: a StatefulSet's claims and identity, a Service's cluster IPs.
 */
const IMMUTABLE: Record<string, readonly string[]> = {
  StatefulSet: ['selector', 'serviceName', 'volumeClaimTemplates', 'podManagementPolicy'],
  Deployment: ['selector'],
  Service: ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy'],
};

/**
 * Makes the object `desired` exist as given, owned by `owner`. The desired object's hash is kept
 * in an annotation, so an object already as desired is left alone (no write), and a changed one is
 * replaced (labels and annotations set by others are kept). An object of that name owned by
 * something else is not taken over: that is a permanent error naming both.
 */
export async function ensureOwned(
  api: ClusterApi,
  owner: KubeObject,
  desired: KubeObject,
): Promise<{ result: EnsureResult; object: KubeObject }> {
  const reference = ownerReference(owner);
  const hash = shortHash(stableJson({ ...desired, metadata: { ...desired.metadata, ownerReferences: [] } }));
  const meta = desired.metadata ?? {};
  const wanted: KubeObject = {
    ...desired,
    metadata: {
      ...meta,
      annotations: { ...meta.annotations, [ANNOTATIONS.specHash]: hash },
      ownerReferences: [reference],
    },
  };
  const existing = await api.read(
    { apiVersion: desired.apiVersion ?? '', kind: desired.kind ?? '' },
    meta.namespace,
    meta.name ?? '',
  );
  if (!existing) return { result: 'created', object: await api.create(wanted) };

  checkOwner(existing, owner);
  if (existing.metadata?.annotations?.[ANNOTATIONS.specHash] === hash)
    return { result: 'unchanged', object: existing };

  const next: KubeObject = {
    ...wanted,
    metadata: {
      ...existing.metadata,
      labels: { ...existing.metadata?.labels, ...meta.labels },
      annotations: { ...existing.metadata?.annotations, ...wanted.metadata?.annotations },
      ownerReferences: [
        ...(existing.metadata?.ownerReferences ?? []).filter((r) => r.uid !== reference.uid),
        reference,
      ],
    },
  };
  const keep = IMMUTABLE[desired.kind ?? ''];
  if (keep && existing.spec && next.spec) {
    const spec = { ...(next.spec as Record<string, unknown>) };
    for (const field of keep) {
      const value = (existing.spec as Record<string, unknown>)[field];
      if (value !== undefined) spec[field] = value;
    }
    next.spec = spec;
  }
  return { result: 'updated', object: await api.replace(next) };
}
