import { ImpulseError } from '../../core/errors.ts';
import type { KubeRest } from '../../core/kube/rest.ts';
import { describe, type KubeObject, type ObjectRef, type ResourceInfo } from '../../core/kube/types.ts';
import type { K8sOperation, PatchStrategy } from '../../crds/index.ts';
import type { Firing } from '../types.ts';
import { applyConflictError, FIELD_MANAGER } from './apply-conflict.ts';
import { LABELS, withCreationLabels } from './labels.ts';

/** What an operation did, for the outcome event and the policy. */
export interface OperationResult {
  result: 'created' | 'updated' | 'patched' | 'deleted' | 'absent';
  /** The object as the API server answered (undefined after a delete). */
  object: KubeObject | undefined;
  /** True when a retried firing found the object its earlier attempt had created. */
  existing?: boolean;
}

export interface OperationRequest {
  rest: KubeRest;
  resource: ResourceInfo;
  /** The namespace the object goes in (undefined for cluster-scoped kinds). */
  namespace: string | undefined;
  object: KubeObject;
  firing: Firing;
  signal?: AbortSignal;
  /** @default application/merge-patch+json */
  patchStrategy?: PatchStrategy;
  forceConflicts?: boolean;
}

/** @default as in Argo Events */
export const DEFAULT_PATCH_STRATEGY: PatchStrategy = 'application/merge-patch+json';

/**
 * Runs one operation with Argo Events' rules for a missing object: update and patch create it,
 * delete does nothing. Created objects carry the creation labels; a create that meets the object its
 * own earlier attempt made (same firing id) counts as done, so a retry never makes a second one.
 */
export async function runOperation(operation: K8sOperation, req: OperationRequest): Promise<OperationResult> {
  if (operation === 'create') return create(req);
  const ref = objectRef(req, operation);
  switch (operation) {
    case 'update': {
      const live = await req.rest.get(ref, { signal: req.signal });
      if (!live) return create(req);
      const merged = mergeInto(live, req.object) as KubeObject;
      return { result: 'updated', object: await req.rest.replace(ref, merged, { signal: req.signal }) };
    }
    case 'patch':
      return patch(req, ref);
    case 'delete': {
      const live = await req.rest.get(ref, { signal: req.signal });
      if (!live) return { result: 'absent', object: undefined };
      const deleted = await req.rest.delete(ref, { signal: req.signal });
      return { result: deleted ? 'deleted' : 'absent', object: undefined };
    }
  }
}

async function create(req: OperationRequest): Promise<OperationResult> {
  const { rest, resource, namespace, firing, signal } = req;
  const object = withCreationLabels(req.object, firing);
  const earlier = await createdByThisFiring(req);
  if (earlier) return { result: 'created', object: earlier, existing: true };
  try {
    return { result: 'created', object: await rest.create(resource, namespace, object, { signal }) };
  } catch (err) {
    if (!(err instanceof ImpulseError) || err.details?.reason !== 'AlreadyExists') throw err;
    const name = object.metadata.name!;
    const live = await rest.get({ resource, namespace, name }, { signal });
    if (live?.metadata.labels?.[LABELS.firingId] === firing.id) {
      return { result: 'created', object: live, existing: true };
    }
    throw new ImpulseError(
      'PERMANENT',
      `${err.message}; operation create makes a new object: use generateName for one per firing, or operation update or patch to change the existing one`,
      { cause: err, details: err.details },
    );
  }
}

/** With generateName, the object an earlier attempt of this firing created, if any. */
async function createdByThisFiring(req: OperationRequest): Promise<KubeObject | undefined> {
  if (req.object.metadata.name) return undefined;
  const selector = `${LABELS.firingId}=${req.firing.id},${LABELS.trigger}=${req.firing.trigger}`;
  const found = await req.rest.list(req.resource, req.namespace, {
    labelSelector: selector,
    signal: req.signal,
  });
  return found.items[0];
}

async function patch(req: OperationRequest, ref: ObjectRef): Promise<OperationResult> {
  const { rest, signal } = req;
  const strategy = req.patchStrategy ?? DEFAULT_PATCH_STRATEGY;
  const live = await rest.get(ref, { signal });
  if (strategy === 'application/apply-patch+yaml') {
    // Apply creates a missing object itself, with the creation labels. Later applies repeat the
    // creation labels the object has (same values share ownership): dropping them would make the
    // API server remove them, and new values would conflict with whoever created the object.
    const object = live ? keepCreationLabels(req.object, live) : withCreationLabels(req.object, req.firing);
    const options = { fieldManager: FIELD_MANAGER, force: req.forceConflicts === true, signal };
    try {
      const applied = await rest.apply(ref, object, options);
      return { result: live ? 'patched' : 'created', object: applied };
    } catch (err) {
      throw applyConflictError(err, describe(ref));
    }
  }
  if (!live) return create(req);
  const body =
    strategy === 'application/json-patch+json' ? jsonPatchOperations(live, req.object) : req.object;
  return { result: 'patched', object: await rest.patch(ref, strategy, body, { signal }) };
}

function keepCreationLabels(object: KubeObject, live: KubeObject): KubeObject {
  const kept = Object.fromEntries(
    Object.values(LABELS)
      .filter((key) => live.metadata.labels?.[key] !== undefined)
      .map((key) => [key, live.metadata.labels![key]!]),
  );
  if (Object.keys(kept).length === 0) return object;
  return { ...object, metadata: { ...object.metadata, labels: { ...kept, ...object.metadata.labels } } };
}

function objectRef(req: OperationRequest, operation: string): ObjectRef {
  const name = req.object.metadata.name;
  if (!name) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `operation ${operation} needs metadata.name on the ${req.resource.kind} (generateName only works with create)`,
    );
  }
  return { resource: req.resource, namespace: req.namespace, name };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The live object with the manifest laid over it, as Argo Events does for update: mappings merge
 * key by key, anything else (lists included) is replaced by the manifest's value. Unlike Argo's
 * merge, a zero value in the manifest (`replicas: 0`, `false`, `""`) replaces the live one too.
 */
export function mergeInto(live: unknown, manifest: unknown): unknown {
  if (!isPlainObject(live) || !isPlainObject(manifest)) return structuredClone(manifest);
  const out: Record<string, unknown> = { ...live };
  for (const [key, value] of Object.entries(manifest)) out[key] = mergeInto(live[key], value);
  return out;
}

/** A JSON Patch operation (RFC 6902). */
export interface JsonPatchOperation {
  op: 'add';
  path: string;
  value: unknown;
}

/**
 * The RFC 6902 operations that set every field of the manifest on the live object: `add` where the
 * parent exists (which replaces a present value), descending into mappings both sides have, so that
 * fields the manifest does not mention stay as they are. Lists are replaced whole. Argo Events sends
 * the manifest itself as the body, which the API server refuses for this patch type.
 */
export function jsonPatchOperations(live: unknown, manifest: unknown, base = ''): JsonPatchOperation[] {
  if (!isPlainObject(manifest)) return [{ op: 'add', path: base, value: manifest }];
  const ops: JsonPatchOperation[] = [];
  for (const [key, value] of Object.entries(manifest)) {
    const path = `${base}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const current = isPlainObject(live) ? live[key] : undefined;
    if (isPlainObject(value) && isPlainObject(current))
      ops.push(...jsonPatchOperations(current, value, path));
    else ops.push({ op: 'add', path, value });
  }
  return ops;
}
