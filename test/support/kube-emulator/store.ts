import { clone, type KubeObject, str } from './json.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change. `object` is the state after it (for DELETED: the last state, at the deletion's version). */
export interface StoreEvent {
  type: ChangeType;
  /** The storage key of the resource (see `storageKey`). */
  key: string;
  rv: number;
  object: KubeObject;
  previous: KubeObject | undefined;
}

export type StoreListener = (event: StoreEvent) => void;

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/**
 * The emulator's etcd: objects by resource, one global resourceVersion counter, and per resource a
 * bounded log of recent changes from which watches resume. A watch that asks to resume from before the
 * retained window is told its version expired.
 */
export class Store {
  #rv = 0;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #logs = new Map<string, StoreEvent[]>();
  /** Per resource, the version of the newest event dropped from the log (0 while nothing was dropped). */
  readonly #evicted = new Map<string, number>();
  readonly #listeners = new Set<StoreListener>();

  constructor(readonly watchWindow: number) {}

  /** The newest committed resourceVersion. */
  get resourceVersion(): number {
    return this.#rv;
  }

  get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.#objects.get(key)?.get(objectKey(namespace, name));
    return found ? clone(found) : undefined;
  }

  /** Objects of one resource (in one namespace, when given), ordered by namespace then name. */
  list(key: string, namespace?: string): KubeObject[] {
    const all = [...(this.#objects.get(key)?.values() ?? [])];
    const inNs =
      namespace === undefined ? all : all.filter((o) => str(o.metadata, 'namespace') === namespace);
    return inNs.map((o) => clone(o)).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  }

  /** Every stored object of every resource, for the garbage collector. */
  *entries(): Generator<[string, KubeObject]> {
    for (const [key, objects] of this.#objects) for (const o of objects.values()) yield [key, o];
  }

  /** Stores a new or changed object under the next resourceVersion and tells listeners. */
  put(key: string, object: KubeObject): KubeObject {
    const name = str(object.metadata, 'name') ?? '';
    const namespace = str(object.metadata, 'namespace');
    const objects = this.#objects.get(key) ?? new Map<string, KubeObject>();
    this.#objects.set(key, objects);
    const previous = objects.get(objectKey(namespace, name));
    const rv = ++this.#rv;
    const stored = clone(object);
    stored.metadata.resourceVersion = String(rv);
    objects.set(objectKey(namespace, name), stored);
    this.#emit({ type: previous ? 'MODIFIED' : 'ADDED', key, rv, object: stored, previous });
    return clone(stored);
  }

  /** Removes an object; the DELETED event carries the deletion's resourceVersion. */
  remove(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const objects = this.#objects.get(key);
    const previous = objects?.get(objectKey(namespace, name));
    if (!objects || !previous) return undefined;
    objects.delete(objectKey(namespace, name));
    const rv = ++this.#rv;
    const last = clone(previous);
    last.metadata.resourceVersion = String(rv);
    this.#emit({ type: 'DELETED', key, rv, object: last, previous });
    return clone(last);
  }

  /** Removes every object of a resource (used when its CRD goes away). */
  dropResource(key: string): void {
    for (const o of this.list(key))
      this.remove(key, str(o.metadata, 'namespace'), str(o.metadata, 'name') ?? '');
  }

  /**
   * Changes of one resource after `rv`, or `undefined` when some of them are no longer retained.
   * The second value is the oldest version a watch can still resume from.
   */
  since(key: string, rv: number): { events: StoreEvent[] | undefined; oldest: number } {
    const evicted = this.#evicted.get(key) ?? 0;
    if (rv < evicted) return { events: undefined, oldest: evicted };
    const log = this.#logs.get(key) ?? [];
    return { events: log.filter((e) => e.rv > rv), oldest: evicted };
  }

  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: StoreEvent): void {
    const log = this.#logs.get(event.key) ?? [];
    this.#logs.set(event.key, log);
    log.push(event);
    while (log.length > this.watchWindow) {
      const dropped = log.shift();
      if (dropped) this.#evicted.set(event.key, dropped.rv);
    }
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // A failing watcher or controller must not fail the write that is already committed.
        process.emitWarning(`kube-emulator: a store listener failed: ${(err as Error).message}`);
      }
    }
  }
}

function sortKey(o: KubeObject): string {
  return `${str(o.metadata, 'namespace') ?? ''}\u0000${str(o.metadata, 'name') ?? ''}`;
}
