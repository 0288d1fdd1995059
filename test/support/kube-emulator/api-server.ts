import { serverSideApply } from './apply.ts';
import { type AuditEntry, auditEntry } from './audit.ts';
import { Committer, timestamp, type WriteOptions } from './commit.ts';
import { type DeleteOptions, deleteObject } from './deletion.ts';
import type { Part } from './field-paths.ts';
import { isObject, type Json, type JsonObject, type KubeObject, str } from './json.ts';
import { type ListQuery, listObjects } from './list.ts';
import { checkBody, generatedName, groupResource, parseBody, present, scope } from './objects.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import type { Registry } from './registry.ts';
import { groupVersion, type ResourceType, storageKey } from './resources.ts';
import { ApiError, errors } from './status.ts';
import type { Store } from './store.ts';

export type { AuditEntry } from './audit.ts';
export type { DeleteOptions } from './deletion.ts';
export type { ListQuery } from './list.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/**
 * The verbs of the Kubernetes API over the store: what the HTTP handler calls for client requests
 * (audited), and what the simulated controllers and the garbage collector call directly (not).
 */
export class ApiServer {
  readonly audit: AuditEntry[] = [];
  readonly committer: Committer;

  constructor(
    readonly store: Store,
    readonly registry: Registry,
  ) {
    this.committer = new Committer(store, registry);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.get(storageKey(type), scope(type, namespace), name);
    if (!found) throw errors.notFound(groupResource(type), name);
    return present(type, found);
  }

  list(type: ResourceType, namespace: string | undefined, query: ListQuery): JsonObject {
    return listObjects(this.store, type, namespace, query);
  }

  create(
    type: ResourceType,
    namespace: string | undefined,
    body: Json,
    options: WriteOptions,
    audited = true,
  ): KubeObject {
    const next = checkBody(type, body, namespace, undefined);
    const meta = next.metadata;
    if (!str(meta, 'name')) {
      const prefix = str(meta, 'generateName');
      if (!prefix) {
        throw errors.invalid(type.group, type.kind, '', [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: name or generateName is required',
            field: 'metadata.name',
          },
        ]);
      }
      meta.name = generatedName(prefix);
    }
    const name = str(meta, 'name') ?? '';
    this.#checkNamespace(type, namespace, name);
    if (this.store.get(storageKey(type), scope(type, namespace), name))
      throw errors.alreadyExists(groupResource(type), name);
    if (str(meta, 'resourceVersion')) {
      // What etcd3 storage answers, surfacing as a 500 from a real API server.
      throw errors.internal('resourceVersion should not be set on objects to be created');
    }
    delete meta.resourceVersion;
    const { object } = this.committer.commit({
      type,
      part: 'main',
      previous: undefined,
      next,
      applied: false,
      options,
    });
    return this.#done(type, 'create', object, options.dryRun, audited, 'main');
  }

  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: Json,
    part: Part,
    options: WriteOptions,
    audited = true,
  ): KubeObject {
    const next = checkBody(type, body, namespace, name);
    const previous = this.get(type, namespace, name);
    Committer.checkResourceVersion(type, previous, next.metadata.resourceVersion);
    const { object } = this.committer.commit({ type, part, previous, next, applied: false, options });
    return this.#done(type, 'update', object, options.dryRun, audited, part);
  }

  /** Applies a patch of any type; answers whether an apply created the object. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    raw: string,
    part: Part,
    options: WriteOptions & { force: boolean },
  ): { object: KubeObject; created: boolean } {
    if (patchType === 'strategic' && type.custom) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    const body = parseBody(raw, patchType === 'apply' ? 'yaml' : 'json');
    const stored = this.store.get(storageKey(type), scope(type, namespace), name);
    const previous = stored ? present(type, stored) : undefined;
    if (patchType === 'apply') return this.#apply(type, namespace, name, body, part, options, previous);
    if (!previous) throw errors.notFound(groupResource(type), name);
    let patched: Json;
    if (patchType === 'merge') patched = mergePatch(previous, body);
    else if (patchType === 'json') patched = jsonPatch(previous, body);
    else patched = strategicMergePatch(type, previous, body);
    if (!isObject(patched) || !isObject(patched.metadata))
      throw errors.badRequest('the patch produced an object without metadata');
    const next = patched as KubeObject;
    if (str(next.metadata, 'name') !== name) {
      throw errors.badRequest(
        `the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    Committer.checkResourceVersion(type, previous, next.metadata.resourceVersion);
    const { object } = this.committer.commit({ type, part, previous, next, applied: false, options });
    return { object: this.#done(type, 'patch', object, options.dryRun, true, part), created: false };
  }

  #apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: Json,
    part: Part,
    options: WriteOptions & { force: boolean },
    previous: KubeObject | undefined,
  ): { object: KubeObject; created: boolean } {
    const applied = checkBody(type, body, namespace, name);
    if (!str(applied, 'apiVersion') || !str(applied, 'kind')) {
      throw errors.badRequest(
        "error decoding YAML: Object 'Kind' is missing or 'apiVersion' is missing in the applied configuration",
      );
    }
    if (!previous) {
      if (part === 'status') throw errors.notFound(groupResource(type), name);
      this.#checkNamespace(type, namespace, name);
    } else Committer.checkResourceVersion(type, previous, applied.metadata.resourceVersion);
    const live = serverSideApply({
      type,
      current: previous,
      applied,
      manager: options.manager,
      force: options.force,
      part,
      apiVersion: groupVersion(type),
      time: timestamp(),
    });
    live.metadata.name = name;
    if (type.namespaced && namespace !== undefined) live.metadata.namespace = namespace;
    const { object } = this.committer.commit({ type, part, previous, next: live, applied: true, options });
    return { object: this.#done(type, 'apply', object, options.dryRun, true, part), created: !previous };
  }

  /** Deletes an object (see `deleteObject`); answers the HTTP code and body. */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
    audited = true,
  ): { code: number; body: JsonObject } {
    const result = deleteObject(this.store, this.committer, type, namespace, name, options);
    if (audited)
      this.audit.push(
        auditEntry(type, 'delete', result.previous, result.resourceVersion, options.dryRun, 'main'),
      );
    return { code: result.code, body: result.body };
  }

  /** `DELETE` on a collection: deletes every selected object and answers the list of them. */
  deleteCollection(
    type: ResourceType,
    namespace: string | undefined,
    query: ListQuery,
    options: DeleteOptions,
  ): JsonObject {
    const list = this.list(type, namespace, query);
    const items: Json[] = [];
    for (const item of (list.items as JsonObject[]) ?? []) {
      const meta = item.metadata as JsonObject;
      const { body } = this.delete(type, str(meta, 'namespace'), str(meta, 'name') ?? '', options);
      items.push(body.kind === 'Status' ? item : body);
    }
    return { ...list, items };
  }

  #checkNamespace(type: ResourceType, namespace: string | undefined, name: string): void {
    if (!type.namespaced || !namespace) return;
    const ns = this.store.get(storageKey({ group: '', plural: 'namespaces' }), undefined, namespace);
    if (!ns) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp) {
      const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
      throw errors.forbidden(groupResource(type), name, why);
    }
  }

  #done(
    type: ResourceType,
    verb: AuditEntry['verb'],
    object: KubeObject,
    dryRun: boolean,
    audited: boolean,
    part: Part,
  ): KubeObject {
    const shown = present(type, object);
    if (audited)
      this.audit.push(
        auditEntry(type, verb, shown, String(shown.metadata.resourceVersion ?? ''), dryRun, part),
      );
    return shown;
  }
}
