import { randomUUID } from 'node:crypto';
import { crdResources, crdStatus, validateCrd } from './crds.ts';
import { applyBuiltinDefaults } from './defaults.ts';
import type { Part } from './field-paths.ts';
import { arr, clone, deepEqual, isObject, type KubeObject, str } from './json.ts';
import { recordUpdate } from './managed-fields.ts';
import type { Registry } from './registry.ts';
import { groupVersion, type ResourceType, storageKey } from './resources.ts';
import { applyDefaults, prune, validateAgainstSchema } from './schema.ts';
import { errors } from './status.ts';
import type { Store } from './store.ts';
import { validateObject } from './validation.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options every write carries from its request. */
export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** The field manager: the `fieldManager` parameter or derived from the User-Agent. */
  manager: string;
  /** Warnings for the response's `Warning` headers. */
  warnings: string[];
}

/** One proposed change, already merged or patched into a whole object. */
export interface Proposal {
  type: ResourceType;
  part: Part;
  previous: KubeObject | undefined;
  next: KubeObject;
  /** Whether server-side apply already set managedFields (otherwise the write is recorded as Update). */
  applied: boolean;
  options: WriteOptions;
}

export interface Committed {
  object: KubeObject;
  /** False when the write changed nothing (no new resourceVersion, no event) or was a dry run. */
  stored: boolean;
}

/** RFC 3339 with whole seconds, as the API server writes timestamps. */
export function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The write path shared by create, update, patch and apply: system metadata, the status
 * subresource split, CRD pruning and defaulting, validation, generation, managed fields, no-op
 * detection, dry run, storing, and completing a deletion once the last finalizer is gone.
 */
export class Committer {
  #nextIp = 10;

  constructor(
    readonly store: Store,
    readonly registry: Registry,
  ) {}

  commit(p: Proposal): Committed {
    const { type, previous: prev } = p;
    const now = timestamp();
    let next = clone(p.next);
    if (prev) {
      if (p.part === 'status') {
        const status = next.status;
        const managed = next.metadata.managedFields;
        next = clone(prev);
        if (status === undefined) delete next.status;
        else next.status = status;
        if (p.applied && managed !== undefined) next.metadata.managedFields = managed;
      } else if (type.statusSubresource) {
        if (prev.status === undefined) delete next.status;
        else next.status = clone(prev.status);
      }
      for (const key of [
        'name',
        'namespace',
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
      ]) {
        const value = prev.metadata[key];
        if (value === undefined) delete next.metadata[key];
        else next.metadata[key] = value;
      }
      if (!p.applied) next.metadata.managedFields = prev.metadata.managedFields ?? null;
    } else {
      next.metadata.uid = randomUUID();
      next.metadata.creationTimestamp = now;
      for (const key of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'])
        delete next.metadata[key];
      if (type.statusSubresource) delete next.status;
      if (!p.applied) delete next.metadata.managedFields;
    }
    if (next.metadata.managedFields === null) delete next.metadata.managedFields;
    next.apiVersion = groupVersion(type);
    next.kind = type.kind;

    const schema = type.custom?.schema;
    if (schema) {
      const unknown = prune(schema, next);
      if (unknown.length > 0 && p.options.fieldValidation === 'Strict') {
        throw errors.badRequest(
          `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
        );
      }
      if (p.options.fieldValidation === 'Warn')
        for (const f of unknown) p.options.warnings.push(`unknown field "${f}"`);
      applyDefaults(schema, next);
    }
    applyBuiltinDefaults(
      type,
      next,
      prev,
      () => `10.96.${Math.floor(this.#nextIp / 250)}.${(this.#nextIp++ % 250) + 1}`,
    );

    const name = str(next.metadata, 'name') ?? '';
    const isCrd = type.group === 'apiextensions.k8s.io' && type.kind === 'CustomResourceDefinition';
    const causes = validateObject(type, next, prev);
    if (isCrd) causes.push(...validateCrd(next));
    if (schema && p.part === 'main') causes.push(...validateAgainstSchema(schema, next));
    if (schema && p.part === 'status')
      causes.push(...validateAgainstSchema(schema, next).filter((c) => c.field?.startsWith('status')));
    if (causes.length > 0) throw errors.invalid(type.group, type.kind, name, causes);
    if (isCrd && (!prev || !deepEqual(prev.spec, next.spec))) next.status = crdStatus(next, now);

    if (type.generation) {
      const before = prev ? Number(prev.metadata.generation ?? 1) : 0;
      next.metadata.generation = !prev || specChanged(type, prev, next) ? before + 1 : before;
    }
    if (!p.applied) {
      recordUpdate({
        type,
        previous: prev,
        next,
        manager: p.options.manager,
        apiVersion: groupVersion(type),
        part: p.part,
        time: now,
      });
    }

    if (prev && sameIgnoring(prev, next)) return { object: prev, stored: false };
    if (p.options.dryRun) {
      if (prev) next.metadata.resourceVersion = prev.metadata.resourceVersion ?? '';
      else delete next.metadata.resourceVersion;
      return { object: next, stored: false };
    }
    const key = storageKey(type);
    let object = this.store.put(key, next);
    if (
      object.metadata.deletionTimestamp &&
      (arr(object.metadata, 'finalizers') ?? []).length === 0 &&
      type.kind !== 'Namespace'
    ) {
      object = this.store.remove(key, str(object.metadata, 'namespace'), name) ?? object;
      this.afterRemove(type, object);
    } else if (isCrd) {
      this.registry.removeCrd(name);
      for (const t of crdResources(object)) this.registry.add(t);
    }
    return { object, stored: true };
  }

  /** Side effects of an object leaving the store: a CRD takes its resources and their objects along. */
  afterRemove(type: ResourceType, object: KubeObject): void {
    if (type.group !== 'apiextensions.k8s.io' || type.kind !== 'CustomResourceDefinition') return;
    const resources = crdResources(object);
    this.registry.removeCrd(str(object.metadata, 'name') ?? '');
    const first = resources[0];
    if (first) this.store.dropResource(storageKey(first));
  }

  /** Checks an optimistic-concurrency precondition: a non-empty resourceVersion must be the live one. */
  static checkResourceVersion(type: ResourceType, live: KubeObject, wanted: unknown): void {
    if (typeof wanted === 'string' && wanted !== '' && wanted !== live.metadata.resourceVersion) {
      throw errors.staleResourceVersion(
        { group: type.group, resource: type.plural },
        str(live.metadata, 'name') ?? '',
      );
    }
  }
}

function specChanged(type: ResourceType, prev: KubeObject, next: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, ...rest } = o;
    if (type.statusSubresource) delete rest.status;
    return rest;
  };
  return !deepEqual(strip(prev), strip(next));
}

/** Whether a write changes nothing but the resourceVersion and managed-field timestamps. */
function sameIgnoring(prev: KubeObject, next: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const copy = clone(o);
    delete copy.metadata.resourceVersion;
    const managed = copy.metadata.managedFields;
    if (Array.isArray(managed)) for (const e of managed) if (isObject(e)) delete e.time;
    return copy;
  };
  return deepEqual(strip(prev), strip(next));
}
