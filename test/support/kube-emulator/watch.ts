import type { ServerResponse } from 'node:http';
import type { JsonObject, KubeObject } from './json.ts';
import { present } from './objects.ts';
import { groupVersion, type ResourceType, storageKey } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { errors } from './status.ts';
import type { Store, StoreEvent } from './store.ts';

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  resourceVersion: string | undefined;
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
  allowWatchBookmarks: boolean;
  timeoutSeconds: number | undefined;
  sendInitialEvents: boolean | undefined;
  resourceVersionMatch: string | undefined;
}

/**
 * Serves watches: newline-delimited `{type, object}` events on a chunked 200 response.
 *
 * - Without a resourceVersion (or with "0") the stream starts with a synthetic ADDED per existing
 *   object; with `sendInitialEvents=true` those are followed by a BOOKMARK annotated
 *   `k8s.io/initial-events-end: "true"`.
 * - With resourceVersion N it replays the retained changes after N; when some are no longer
 *   retained it sends one ERROR event carrying a 410 Expired Status and closes, as the API server does.
 * - Objects that start or stop matching a selector arrive as ADDED or DELETED.
 * - With `allowWatchBookmarks=true`, BOOKMARK events carry the current resourceVersion every
 *   `bookmarkIntervalMs`; `timeoutSeconds` ends the stream.
 */
export class WatchHub {
  readonly #open = new Set<() => void>();

  constructor(
    readonly store: Store,
    readonly bookmarkIntervalMs: number,
  ) {}

  serve(res: ServerResponse, w: WatchRequest): void {
    const key = storageKey(w.type);
    const labels = parseLabelSelector(w.labelSelector);
    const fields = parseFieldSelector(w.fieldSelector, w.type);
    const inScope = (o: KubeObject) =>
      !w.type.namespaced || !w.namespace || o.metadata.namespace === w.namespace;
    const matches = (o: KubeObject | undefined) => o !== undefined && inScope(o) && labels(o) && fields(o);
    const rv = w.resourceVersion ?? '';
    if (rv !== '' && !/^\d+$/.test(rv))
      throw errors.badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
    if (w.sendInitialEvents && w.resourceVersionMatch !== 'NotOlderThan') {
      throw errors.invalid('meta.k8s.io', 'ListOptions', '', [
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
          field: 'resourceVersionMatch',
        },
      ]);
    }

    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    // Clients wait for the headers before they consider the watch established.
    res.flushHeaders();
    const send = (type: string, object: JsonObject) => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const bookmark = (annotations?: Record<string, string>) => {
      const metadata: JsonObject = { resourceVersion: String(this.store.resourceVersion) };
      if (annotations) metadata.annotations = annotations;
      send('BOOKMARK', { kind: w.type.kind, apiVersion: groupVersion(w.type), metadata });
    };
    const deliver = (e: StoreEvent) => {
      if (e.key !== key) return;
      const was = matches(e.previous);
      const now = matches(e.object);
      const shown = present(w.type, e.object);
      if (e.type === 'DELETED') {
        if (now) send('DELETED', shown);
      } else if (now) send(was ? 'MODIFIED' : 'ADDED', shown);
      else if (was) send('DELETED', shown);
    };

    const initial = rv === '' || rv === '0' || w.sendInitialEvents === true;
    if (initial) {
      for (const o of this.store.list(key)) if (matches(o)) send('ADDED', present(w.type, o));
      if (w.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const { events, oldest } = this.store.since(key, Number(rv));
      if (!events) {
        send('ERROR', errors.expired(`too old resource version: ${rv} (${oldest + 1})`).toStatus());
        res.end();
        return;
      }
      for (const e of events) deliver(e);
    }

    const unsubscribe = this.store.subscribe(deliver);
    const timers: NodeJS.Timeout[] = [];
    if (w.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), this.bookmarkIntervalMs));
    const close = () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      this.#open.delete(close);
      if (!res.writableEnded) res.end();
    };
    if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0)
      timers.push(setTimeout(close, w.timeoutSeconds * 1000));
    res.on('close', close);
    res.on('error', close);
    this.#open.add(close);
  }

  /** Ends every open watch (the emulator is closing). */
  closeAll(): void {
    for (const close of [...this.#open]) close();
  }

  get openWatches(): number {
    return this.#open.size;
  }
}
