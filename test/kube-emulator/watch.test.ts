import { makeInformer, type V1ConfigMap, Watch } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeEmulator, KubeEmulatorOptions } from '../support/kube-emulator/index.ts';
import { waitFor } from '../support/wait.ts';
import { asPatch, clients, startTestEmulator, uniqueName } from './fixture.ts';

interface Event {
  type: string;
  object: {
    kind?: string;
    code?: number;
    reason?: string;
    metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  };
}

/** A watch through client-node's Watch, collecting events until it ends. */
async function watchEvents(
  emulator: KubeEmulator,
  path: string,
  query: Record<string, string | number | boolean>,
) {
  const events: Event[] = [];
  const state: { done: boolean; error: unknown } = { done: false, error: undefined };
  const controller = await new Watch(emulator.kubeConfig()).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    (err) => {
      state.done = true;
      state.error = err;
    },
  );
  return { events, state, stop: () => controller.abort() };
}

describe('kube-emulator: watch', () => {
  let emulator: KubeEmulator;
  const start = async (options: KubeEmulatorOptions = {}) => {
    emulator = await startTestEmulator({ controllers: false, ...options });
    const api = clients(emulator);
    const namespace = uniqueName('watch');
    await api.core.createNamespace({ body: { metadata: { name: namespace } } });
    return { api, namespace, path: `/api/v1/namespaces/${namespace}/configmaps` };
  };
  afterEach(() => emulator.close());

  it('streams ADDED, MODIFIED and DELETED after the list resourceVersion', async () => {
    const { api, namespace, path } = await start();
    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'before' } } });
    const list = await api.core.listNamespacedConfigMap({ namespace });
    const w = await watchEvents(emulator, path, { resourceVersion: list.metadata!.resourceVersion! });
    const created = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'during' } },
    });
    await api.core.patchNamespacedConfigMap(
      { namespace, name: 'during', body: { data: { a: 'b' } } },
      asPatch.merge,
    );
    await api.core.deleteNamespacedConfigMap({ namespace, name: 'during' });
    await waitFor(() => w.events.length >= 3, { message: 'three events' });
    expect(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual([
      'ADDED during',
      'MODIFIED during',
      'DELETED during',
    ]);
    expect(w.events[0]?.object.kind).toBe('ConfigMap');
    const versions = w.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect(versions[0]).toBe(Number(created.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(3);
    w.stop();
    await waitFor(() => emulator.openWatches === 0, { message: 'the server to notice the closed watch' });
  });

  it('starts with synthetic ADDED events without a resourceVersion', async () => {
    const { api, namespace, path } = await start();
    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'existing' } } });
    const w = await watchEvents(emulator, path, {});
    await waitFor(() => w.events.length >= 1);
    expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'existing' } } });
    w.stop();
  });

  it('sends BOOKMARK events carrying only the resourceVersion when allowed', async () => {
    const { path } = await start({ bookmarkIntervalMs: 30 });
    const w = await watchEvents(emulator, path, { resourceVersion: '1', allowWatchBookmarks: true });
    const bookmark = await waitFor(() => w.events.find((e) => e.type === 'BOOKMARK'));
    expect(bookmark.object.kind).toBe('ConfigMap');
    expect(Object.keys(bookmark.object.metadata ?? {})).toEqual(['resourceVersion']);
    w.stop();
  });

  it('marks the end of initial events with sendInitialEvents', async () => {
    const { api, namespace, path } = await start();
    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'initial' } } });
    const w = await watchEvents(emulator, path, {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
    });
    await waitFor(() => w.events.length >= 2);
    expect(w.events[0]?.type).toBe('ADDED');
    expect(w.events[1]).toMatchObject({
      type: 'BOOKMARK',
      object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
    w.stop();
  });

  it('answers a resourceVersion older than the retained window with an ERROR event (410 Expired) and closes', async () => {
    const { api, namespace, path } = await start({ watchWindow: 3 });
    const first = await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'v0' } } });
    for (let i = 1; i <= 5; i++)
      await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `v${i}` } } });
    const w = await watchEvents(emulator, path, { resourceVersion: first.metadata!.resourceVersion! });
    await waitFor(() => w.state.done, { message: 'the watch to end' });
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  });

  it('ends the stream after timeoutSeconds', async () => {
    const { path } = await start();
    const started = Date.now();
    const w = await watchEvents(emulator, path, { timeoutSeconds: 1 });
    await waitFor(() => w.state.done, { timeoutMs: 3000, message: 'the watch to time out' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(w.state.error).toBeNull();
  });

  it('reports objects entering and leaving a label selector as ADDED and DELETED', async () => {
    const { api, namespace, path } = await start();
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'sel', labels: { watched: 'no' } } },
    });
    const w = await watchEvents(emulator, path, { resourceVersion: '1', labelSelector: 'watched=yes' });
    expect(w.events).toEqual([]);
    await api.core.patchNamespacedConfigMap(
      { namespace, name: 'sel', body: { metadata: { labels: { watched: 'yes' } } } },
      asPatch.merge,
    );
    await api.core.patchNamespacedConfigMap(
      { namespace, name: 'sel', body: { data: { a: '1' } } },
      asPatch.merge,
    );
    await api.core.patchNamespacedConfigMap(
      { namespace, name: 'sel', body: { metadata: { labels: { watched: 'no' } } } },
      asPatch.merge,
    );
    await waitFor(() => w.events.length >= 3);
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    w.stop();
  });

  it('lets an informer recover from 410 by listing again', async () => {
    const { api, namespace, path } = await start({ watchWindow: 3 });
    const informer = makeInformer(
      emulator.kubeConfig(),
      path,
      () => api.core.listNamespacedConfigMap({ namespace, labelSelector: 'app=watched' }),
      'app=watched',
    );
    const seen: string[] = [];
    informer.on('add', (cm: V1ConfigMap) => seen.push(cm.metadata?.name ?? ''));
    await informer.start();
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'first', labels: { app: 'watched' } } },
    });
    await waitFor(() => seen.includes('first'));
    // Changes the informer does not see push its resourceVersion out of the window.
    for (let i = 0; i < 5; i++)
      await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `noise-${i}` } } });
    emulator.closeWatches();
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'second', labels: { app: 'watched' } } },
    });
    await waitFor(() => seen.includes('second'), { message: 'the informer to relist after 410' });
    expect(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['first', 'second']);
    await informer.stop();
  });
});
