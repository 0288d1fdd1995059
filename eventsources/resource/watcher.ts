import { type ImpulseError, isImpulseError, toImpulseError } from '../../core/errors.ts';
import type { KubeRest } from '../../core/kube/rest.ts';
import type { ResourceInfo, WatchEvent } from '../../core/kube/types.ts';
import type { Logger } from '../../core/logger.ts';
import { pause } from '../queue/backoff.ts';
import type { ResourceEventType } from './config.ts';
import type { KubeObject } from './filter.ts';

/** One change to an object of the watched resource. */
export interface ResourceChange {
  type: ResourceEventType;
  /** The object after the change; for DELETE its last state. */
  object: KubeObject;
  /** For UPDATE, the state known before it. */
  old: KubeObject | undefined;
  /** False for what the first listing found; true for changes seen afterwards. */
  live: boolean;
  /**
   * Stable across replays: `<uid>:<resourceVersion>:<type>`, with the version the change produced
   * (for DELETE, the last version seen before the deletion, which a watch and a listing both know).
   */
  id: string;
}

export interface WatcherOptions {
  /** Lists and watches; errors name the request after `describe`. */
  kube: Pick<KubeRest, 'list' | 'watch'>;
  resource: ResourceInfo;
  /** Undefined: every namespace (and always for cluster-scoped resources). */
  namespace: string | undefined;
  /** Label selector sent with the list and watch; empty for none. */
  labelSelector: string;
  /** Names the watched resource in logs and errors: `apps/v1 deployments in demo`. */
  describe: string;
  signal: AbortSignal;
  logger: Logger;
  /** Handles one change; the watcher waits for it before it takes the next. */
  onChange(change: ResourceChange): Promise<void>;
  /** Called once the first listing is handled and the watch is about to open. */
  onReady(): void;
  /** Pauses before retrying after a failure, by attempt. @default 0.5 s doubling to 16 s */
  retryDelaysMs?: readonly number[];
  /** Items per list page. @default 500 */
  pageSize?: number;
}

const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 16_000];

type WatchEnd = 'closed' | 'expired' | ImpulseError;

/**
 * Lists the resource, then watches it from the list's resourceVersion, and hands every change on
 * in order, as an informer does. It keeps what it knows of each object (by uid), and the version
 * it has handled up to (advanced by events and bookmarks), so that:
 *
 * - a watch the server ends (timeout, restart, `closeWatches`) resumes from that version, and
 *   events the new watch repeats (same uid and version) are not handed on again;
 * - a watch refused with 410 (the version left the server's window) leads to a new listing, which
 *   is compared with what was known: gone objects are DELETEs, new ones ADDs, ones whose version
 *   changed UPDATEs; changes made while the watch was down are neither missed nor repeated.
 *
 * The first listing's objects are ADDs with `live: false`. Resolves when `signal` aborts; rejects
 * only when the first listing fails (the caller's startup error). Later failures are logged and
 * retried with growing pauses.
 */
export async function runWatcher(o: WatcherOptions): Promise<void> {
  const known = new Map<string, KubeObject>();
  const delays = o.retryDelaysMs ?? RETRY_DELAYS_MS;
  let version = '';
  let listed = false;
  let failures = 0;
  const retryPause = () => pause(delays[Math.min(failures++, delays.length - 1)]!, o.signal);

  const emit = (type: ResourceEventType, object: KubeObject, old: KubeObject | undefined, rv: string) =>
    o.onChange({ type, object, old, live: listed, id: `${uidOf(object)}:${rv}:${type}` });

  /** Applies one watch event to what is known, handing on a change when there is one. */
  const apply = async (event: WatchEvent) => {
    const object = event.object as KubeObject;
    const uid = uidOf(object);
    const rv = object.metadata?.resourceVersion ?? '';
    const before = known.get(uid);
    if (event.type === 'DELETED') {
      if (!before) return;
      known.delete(uid);
      await emit('DELETE', object, undefined, rvOf(before));
    } else if (!before || rvOf(before) !== rv) {
      known.set(uid, object);
      await emit(before ? 'UPDATE' : 'ADD', object, before, rv);
    }
  };

  /** Makes `known` what a listing found, handing on the differences. */
  const reconcile = async (items: KubeObject[]) => {
    const found = new Set<string>();
    for (const item of items) found.add(uidOf(item));
    for (const [uid, before] of [...known]) {
      if (found.has(uid)) continue;
      known.delete(uid);
      await emit('DELETE', before, undefined, rvOf(before));
    }
    for (const item of items) {
      const uid = uidOf(item);
      const before = known.get(uid);
      if (before && rvOf(before) === rvOf(item)) continue;
      known.set(uid, item);
      await emit(before ? 'UPDATE' : 'ADD', item, before, rvOf(item));
    }
  };

  const watchOnce = async (): Promise<WatchEnd> => {
    const options = {
      resourceVersion: version,
      allowWatchBookmarks: true,
      labelSelector: o.labelSelector,
      // The server ends the stream after this; a connection that died silently is then replaced.
      timeoutSeconds: 240 + Math.floor(Math.random() * 120),
      signal: o.signal,
    };
    try {
      for await (const event of o.kube.watch(o.resource, o.namespace, options)) {
        if (event.type === 'ERROR') return watchError(event.object, o.describe);
        const rv = (event.object as KubeObject).metadata?.resourceVersion;
        if (event.type !== 'BOOKMARK') await apply(event);
        if (rv) version = rv;
        failures = 0;
      }
      return 'closed';
    } catch (err) {
      if (isImpulseError(err) && err.details?.status === 410) return 'expired';
      return toImpulseError(err, 'TRANSIENT', `watch ${o.describe}`);
    }
  };

  while (!o.signal.aborted) {
    let page: { items: KubeObject[]; resourceVersion: string };
    try {
      // Every page; a continue token that expired mid-way starts the listing again.
      const options = { labelSelector: o.labelSelector, pageSize: o.pageSize ?? 500, signal: o.signal };
      page = await o.kube.list(o.resource, o.namespace, options);
    } catch (err) {
      if (o.signal.aborted) return;
      if (!listed) throw err;
      o.logger.error({ err: (err as Error).message }, `cannot list ${o.describe}; retrying`);
      await retryPause();
      continue;
    }
    await reconcile(page.items);
    version = page.resourceVersion;
    if (!listed) o.onReady();
    listed = true;
    for (;;) {
      const opened = Date.now();
      const end = await watchOnce();
      if (o.signal.aborted) return;
      if (end === 'expired') {
        o.logger.info({ resourceVersion: version }, `watch of ${o.describe} expired (410); listing again`);
        break;
      }
      if (end !== 'closed') {
        o.logger.warn({ err: end.message }, `watch of ${o.describe} failed; watching again`);
        await retryPause();
      } else if (Date.now() - opened < 1000) {
        // A server that ends every watch at once must not be asked again in a tight loop.
        await retryPause();
      }
    }
  }
}

function watchError(status: Record<string, unknown>, describe: string): WatchEnd {
  if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') return 'expired';
  return toImpulseError(
    new Error(`${String(status.code ?? '')} ${String(status.reason ?? '')}: ${String(status.message ?? '')}`),
    'TRANSIENT',
    `watch ${describe}`,
  );
}

function uidOf(object: KubeObject): string {
  const m = object.metadata ?? {};
  return m.uid ?? `${m.namespace ?? ''}/${m.name ?? ''}`;
}

function rvOf(object: KubeObject): string {
  return object.metadata?.resourceVersion ?? '';
}
