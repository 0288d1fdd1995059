import type { ApiServer } from '../api-server.ts';
import type { WriteOptions } from '../commit.ts';
import { deepEqual, type KubeObject, str } from '../json.ts';
import type { StoreEvent } from '../store.ts';
import type { ControllerTiming, Reconciler } from './common.ts';
import { networkStorageReconcilers } from './network-storage.ts';
import { podJobReconcilers } from './pods-jobs.ts';
import { workloadReconcilers } from './workloads.ts';

const RECONCILERS: Record<string, Reconciler> = {
  ...workloadReconcilers,
  ...podJobReconcilers,
  ...networkStorageReconcilers,
};

/**
 * Runs the simulated controllers: after any change to an object of a kind they handle, the
 * reconciler computes the status it should have now and writes it through the status subresource
 * (as `kube-controller-manager`, not audited); a reconciler that expects a later change asks to be
 * run again then. A new generation restarts an object's clock.
 */
export class ControllerManager {
  readonly #clock = new Map<string, { generation: number; since: number }>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #queued = new Set<string>();
  #flushScheduled = false;
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(
    readonly api: ApiServer,
    readonly timing: ControllerTiming,
  ) {
    this.#unsubscribe = api.store.subscribe((e) => this.#onEvent(e));
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #onEvent(e: StoreEvent): void {
    if (!RECONCILERS[e.key]) return;
    const id = objectId(e.key, str(e.object.metadata, 'namespace'), str(e.object.metadata, 'name') ?? '');
    if (e.type === 'DELETED') {
      clearTimeout(this.#timers.get(id));
      this.#timers.delete(id);
      this.#clock.delete(str(e.object.metadata, 'uid') ?? '');
      return;
    }
    this.#queue(id);
  }

  #queue(id: string): void {
    if (this.#closed) return;
    this.#queued.add(id);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Never write from inside a store listener: every watcher must see an event before the next one.
    setImmediate(() => {
      this.#flushScheduled = false;
      const ids = [...this.#queued];
      this.#queued.clear();
      for (const queued of ids) {
        try {
          this.#reconcile(queued);
        } catch {
          // The object changed under us; its change queues another round.
        }
      }
    });
  }

  #reconcile(id: string): void {
    if (this.#closed) return;
    const [key = '', namespace = '', name = ''] = id.split('\u0000');
    const reconciler = RECONCILERS[key];
    const type = this.api.registry.versionsOf(key)[0];
    const object = this.api.store.get(key, namespace || undefined, name);
    if (!reconciler || !type || !object || object.metadata.deletionTimestamp) return;
    const uid = str(object.metadata, 'uid') ?? '';
    const generation = Number(object.metadata.generation ?? 1);
    let clock = this.#clock.get(uid);
    if (!clock || clock.generation !== generation) {
      clock = { generation, since: Date.now() };
      this.#clock.set(uid, clock);
    }
    const result = reconciler({ object, since: clock.since, now: Date.now(), timing: this.timing });
    if (!result) return;
    if (!deepEqual(object.status ?? {}, result.status)) {
      const options: WriteOptions = {
        dryRun: false,
        fieldValidation: 'Ignore',
        manager: 'kube-controller-manager',
        warnings: [],
      };
      const body: KubeObject = { ...object, status: result.status };
      delete body.apiVersion;
      delete body.kind;
      this.api.update(type, namespace || undefined, name, body, 'status', options, false);
    }
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    if (result.recheckInMs !== undefined) {
      const timer = setTimeout(() => {
        this.#timers.delete(id);
        this.#queue(id);
      }, result.recheckInMs + 1);
      timer.unref();
      this.#timers.set(id, timer);
    }
  }
}

function objectId(key: string, namespace: string | undefined, name: string): string {
  return `${key}\u0000${namespace ?? ''}\u0000${name}`;
}
