import type { ApiServer, DeleteOptions } from './api-server.ts';
import type { WriteOptions } from './commit.ts';
import { arr, isObject, type JsonObject, type KubeObject, str } from './json.ts';
import { type ResourceType, storageKey } from './resources.ts';

interface Entry {
  type: ResourceType;
  object: KubeObject;
}

const background: DeleteOptions = { dryRun: false, propagationPolicy: 'Background' };
const foreground: DeleteOptions = { dryRun: false, propagationPolicy: 'Foreground' };

/**
 * The garbage collector and the namespace controller, run after every change:
 *
 * - an object whose owners (by `ownerReferences[].uid`) are all gone is deleted (background);
 *   references to owners that are gone are dropped when other owners remain;
 * - an owner deleted with `propagationPolicy=Foreground` (finalizer `foregroundDeletion`) has its
 *   dependents deleted in the foreground and goes once they are gone (every dependent blocks,
 *   whatever its `blockOwnerDeletion`);
 * - an owner deleted with `Orphan` (finalizer `orphan`) has the references to it removed from its
 *   dependents, then goes;
 * - a namespace being deleted has its contents deleted, then goes.
 */
export class GarbageCollector {
  #scheduled = false;
  #closed = false;
  readonly #unsubscribe: () => void;
  readonly #options: WriteOptions = {
    dryRun: false,
    fieldValidation: 'Ignore',
    manager: 'kube-controller-manager',
    warnings: [],
  };

  constructor(readonly api: ApiServer) {
    this.#unsubscribe = api.store.subscribe(() => this.#schedule());
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#closed) this.#pass();
    });
  }

  #entries(): Entry[] {
    const out: Entry[] = [];
    for (const [key, object] of this.api.store.entries()) {
      const type = this.api.registry.versionsOf(key)[0];
      if (type) out.push({ type, object });
    }
    return out;
  }

  #pass(): void {
    const entries = this.#entries();
    const uids = new Set(entries.map((e) => str(e.object.metadata, 'uid')));
    for (const entry of entries) {
      try {
        this.#collect(entry, entries, uids);
      } catch {
        // The object changed or went away under us; the change that caused it schedules another pass.
      }
    }
  }

  #collect(entry: Entry, entries: Entry[], uids: Set<string | undefined>): void {
    const { type, object } = entry;
    const meta = object.metadata;
    const name = str(meta, 'name') ?? '';
    const uid = str(meta, 'uid');
    const deleting = meta.deletionTimestamp !== undefined;
    const finalizers = (arr(meta, 'finalizers') ?? []).map(String);

    if (deleting && type.kind === 'Namespace' && !type.group) {
      const contents = entries.filter(
        (e) => e.type.namespaced && str(e.object.metadata, 'namespace') === name,
      );
      for (const e of contents) if (!e.object.metadata.deletionTimestamp) this.#delete(e, background);
      if (contents.length === 0 && finalizers.length === 0)
        this.api.store.remove(storageKey(type), undefined, name);
      return;
    }
    const dependents = entries.filter((e) => ownerRefs(e.object).some((r) => r.uid === uid));
    if (deleting && finalizers.includes('orphan')) {
      for (const d of dependents)
        this.#setOwnerRefs(
          d,
          ownerRefs(d.object).filter((r) => r.uid !== uid),
        );
      this.#setFinalizers(
        entry,
        finalizers.filter((f) => f !== 'orphan'),
      );
      return;
    }
    if (deleting && finalizers.includes('foregroundDeletion')) {
      for (const d of dependents) if (!d.object.metadata.deletionTimestamp) this.#delete(d, foreground);
      if (dependents.length === 0)
        this.#setFinalizers(
          entry,
          finalizers.filter((f) => f !== 'foregroundDeletion'),
        );
      return;
    }
    const refs = ownerRefs(object);
    if (refs.length === 0 || deleting) return;
    const dangling = refs.filter((r) => !uids.has(r.uid));
    if (dangling.length === refs.length) this.#delete(entry, background);
    else if (dangling.length > 0)
      this.#setOwnerRefs(
        entry,
        refs.filter((r) => uids.has(r.uid)),
      );
  }

  #delete(entry: Entry, options: DeleteOptions): void {
    const meta = entry.object.metadata;
    this.api.delete(entry.type, str(meta, 'namespace'), str(meta, 'name') ?? '', options, false);
  }

  #setOwnerRefs(entry: Entry, refs: JsonObject[]): void {
    const next = structuredClone(entry.object);
    if (refs.length === 0) delete next.metadata.ownerReferences;
    else next.metadata.ownerReferences = refs;
    this.#update(entry, next);
  }

  #setFinalizers(entry: Entry, finalizers: string[]): void {
    const next = structuredClone(entry.object);
    if (finalizers.length === 0) delete next.metadata.finalizers;
    else next.metadata.finalizers = finalizers;
    this.#update(entry, next);
  }

  #update(entry: Entry, next: KubeObject): void {
    const meta = entry.object.metadata;
    // Stored objects of a multi-version CRD may carry another version; let the write take the served one.
    delete next.apiVersion;
    delete next.kind;
    this.api.update(
      entry.type,
      str(meta, 'namespace'),
      str(meta, 'name') ?? '',
      next,
      'main',
      { ...this.#options, warnings: [] },
      false,
    );
  }
}

function ownerRefs(object: KubeObject): (JsonObject & { uid: string })[] {
  return (arr(object.metadata, 'ownerReferences') ?? []).filter(
    (r): r is JsonObject & { uid: string } => isObject(r) && typeof r.uid === 'string',
  );
}
