import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRest } from '../../core/kube/rest.ts';
import type { KubeObject, ObjectRef, ResourceInfo, WatchEvent } from '../../core/kube/types.ts';
import { type KubeEmulator, startKubeEmulator } from '../support/kube-emulator/index.ts';
import { makeKubeConfig } from '../support/kube-emulator/kubeconfig.ts';
import { waitFor, within } from '../support/wait.ts';

const configMap = (name: string, data: Record<string, string>, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

/**
 * A loopback proxy in front of the emulator that can reset, on their next request, the
 * connections open now: what a client meets when the server closes an idle kept-alive connection
 * just as the client reuses it. The request's bytes are never forwarded.
 */
async function resettingProxy(port: number) {
  const open = new Map<Socket, { armed: boolean }>();
  let connections = 0;
  let resets = 0;
  const server = createServer((client) => {
    connections++;
    const state = { armed: false };
    open.set(client, state);
    const upstream = createConnection({ host: '127.0.0.1', port });
    const drop = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('data', (chunk) => {
      if (!state.armed) {
        upstream.write(chunk);
        return;
      }
      resets++;
      client.resetAndDestroy();
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    armOpenConnections: () => {
      for (const state of open.values()) state.armed = true;
    },
    counts: () => ({ connections, resets }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open.keys()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('core/kube KubeRest', () => {
  let emulator: KubeEmulator;
  let kube: KubeRest;
  let cm: ResourceInfo;

  beforeAll(async () => {
    emulator = await startKubeEmulator({ controllers: false, bookmarkIntervalMs: 100, watchWindow: 10 });
    kube = new KubeRest(emulator.kubeConfig());
    cm = await kube.resource('v1', 'ConfigMap');
  });
  afterAll(async () => {
    await kube?.close();
    await emulator?.close();
  });

  async function freshNamespace(): Promise<string> {
    const name = `t-${randomUUID().slice(0, 8)}`;
    const ns = await kube.resource('v1', 'Namespace');
    await kube.create(ns, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  const at = (namespace: string, name: string): ObjectRef => ({ resource: cm, namespace, name });

  it('discovers kinds by apiVersion and kind: plural, scope, and kinds added after a miss', async () => {
    expect(await kube.resource('apps/v1', 'Deployment')).toEqual({
      apiVersion: 'apps/v1',
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      plural: 'deployments',
      namespaced: true,
    });
    expect((await kube.resource('v1', 'Namespace')).namespaced).toBe(false);
    const group = `g${randomUUID().slice(0, 8)}.example.com`;
    expect(await kube.find(`${group}/v1`, 'Widget')).toBeUndefined();
    await expect(kube.resource(`${group}/v1`, 'Widget')).rejects.toMatchObject({
      code: 'PERMANENT',
      message: expect.stringContaining(`the API server does not serve ${group}/v1`),
    });
    await expect(kube.resource('v1', 'Widget')).rejects.toMatchObject({
      code: 'PERMANENT',
      message: expect.stringContaining('the API server has no kind Widget in v1'),
    });

    const crds = await kube.resource('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    await kube.create(crds, undefined, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Cluster',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: open } }],
      },
    });
    const widget = await waitFor(() => kube.find(`${group}/v1`, 'Widget'));
    expect(widget).toMatchObject({ plural: 'widgets', namespaced: false, group, version: 'v1' });
  });

  it('creates, reads, lists with selectors across pages, replaces and deletes', async () => {
    const ns = await freshNamespace();
    for (let i = 0; i < 5; i++) {
      await kube.create(cm, ns, configMap(`item-${i}`, { i: String(i) }, { set: i % 2 ? 'odd' : 'even' }));
    }
    const all = await kube.list(cm, ns, { pageSize: 2 });
    expect(all.items.map((o) => o.metadata.name).sort()).toEqual([
      'item-0',
      'item-1',
      'item-2',
      'item-3',
      'item-4',
    ]);
    expect(all.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(all.resourceVersion).not.toBe('');
    const even = await kube.list(cm, ns, { labelSelector: 'set=even', pageSize: 1 });
    expect(even.items.map((o) => o.metadata.name).sort()).toEqual(['item-0', 'item-2', 'item-4']);
    const one = await kube.list(cm, ns, { fieldSelector: 'metadata.name=item-3' });
    expect(one.items.map((o) => o.metadata.name)).toEqual(['item-3']);

    const live = (await kube.get(at(ns, 'item-1')))!;
    const replaced = await kube.replace(at(ns, 'item-1'), { ...live, data: { i: 'one' } });
    expect(replaced.data).toEqual({ i: 'one' });
    await expect(kube.replace(at(ns, 'item-1'), { ...live, data: { i: 'again' } })).rejects.toMatchObject({
      code: 'TRANSIENT',
      details: { status: 409, reason: 'Conflict' },
    });

    expect(await kube.delete(at(ns, 'item-1'))).toBe(true);
    expect(await kube.get(at(ns, 'item-1'))).toBeUndefined();
    expect(await kube.delete(at(ns, 'item-1'))).toBe(false);

    await expect(kube.create(cm, 'no-such-namespace', configMap('x', {}))).rejects.toMatchObject({
      code: 'PERMANENT',
      message: expect.stringMatching(/^create v1 ConfigMap no-such-namespace\/x: 404 NotFound: /),
    });
  });

  it('patches as merge, JSON patch array, strategic merge and server-side apply', async () => {
    const ns = await freshNamespace();
    await kube.create(cm, ns, configMap('p', { a: '1', b: '2' }));
    const merged = await kube.patch(at(ns, 'p'), 'application/merge-patch+json', {
      data: { b: null, c: '3' },
    });
    expect(merged.data).toEqual({ a: '1', c: '3' });
    const ops = [{ op: 'replace', path: '/data/a', value: 'one' }];
    expect((await kube.patch(at(ns, 'p'), 'application/json-patch+json', ops)).data).toEqual({
      a: 'one',
      c: '3',
    });
    const strategic = await kube.patch(at(ns, 'p'), 'application/strategic-merge-patch+json', {
      data: { d: '4' },
    });
    expect(strategic.data).toEqual({ a: 'one', c: '3', d: '4' });

    const applied = await kube.apply(at(ns, 's'), configMap('s', { k: 'v' }), { fieldManager: 'first' });
    expect(applied.data).toEqual({ k: 'v' });
    const managers = (applied.metadata.managedFields as Array<{ manager: string }>).map((m) => m.manager);
    expect(managers).toEqual(['first']);
  });

  it('classifies a server-side apply conflict as PERMANENT with its causes; force takes the fields over', async () => {
    const ns = await freshNamespace();
    await kube.apply(at(ns, 'c'), configMap('c', { k: 'mine' }), { fieldManager: 'owner' });
    const conflicting = kube.apply(at(ns, 'c'), configMap('c', { k: 'yours' }), { fieldManager: 'other' });
    await expect(conflicting).rejects.toMatchObject({
      code: 'PERMANENT',
      details: {
        status: 409,
        reason: 'Conflict',
        causes: [expect.objectContaining({ reason: 'FieldManagerConflict', field: '.data.k' })],
      },
    });
    const forced = await kube.apply(at(ns, 'c'), configMap('c', { k: 'yours' }), {
      fieldManager: 'other',
      force: true,
    });
    expect(forced.data).toEqual({ k: 'yours' });
  });

  it('sends dryRun=All and fieldManager on writes: the server answers and stores nothing', async () => {
    const ns = await freshNamespace();
    emulator.clearAudit();
    const answer = await kube.create(cm, ns, configMap('dry', { k: 'v' }), {
      dryRun: true,
      fieldManager: 'm',
    });
    expect(answer.metadata.name).toBe('dry');
    expect(await kube.get(at(ns, 'dry'))).toBeUndefined();
    await kube.create(cm, ns, configMap('wet', { k: 'v' }), { fieldManager: 'writer' });
    await kube.patch(at(ns, 'wet'), 'application/merge-patch+json', { data: { k: 'w' } }, { dryRun: true });
    expect(await kube.delete(at(ns, 'wet'), { dryRun: true })).toBe(true);
    const live = (await kube.get(at(ns, 'wet')))!;
    expect(live.data).toEqual({ k: 'v' });
    expect((live.metadata.managedFields as Array<{ manager: string }>)[0]!.manager).toBe('writer');
    const writes = emulator.audit().filter((e) => e.namespace === ns);
    expect(writes.map((e) => `${e.verb} ${e.name} ${e.dryRun}`)).toEqual([
      'create dry true',
      'create wet false',
      'patch wet true',
      'delete wet true',
    ]);
  });

  it('sends the propagation policy of a delete', async () => {
    const ns = await freshNamespace();
    const child = (owner: KubeObject, name: string) => ({
      ...configMap(name, {}),
      metadata: {
        name,
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid },
        ],
      },
    });
    const kept = await kube.create(cm, ns, configMap('kept-owner', {}));
    await kube.create(cm, ns, child(kept, 'kept-child'));
    const gone = await kube.create(cm, ns, configMap('gone-owner', {}));
    await kube.create(cm, ns, child(gone, 'gone-child'));
    await kube.delete(at(ns, 'kept-owner'), { propagationPolicy: 'Orphan' });
    await kube.delete(at(ns, 'gone-owner'), { propagationPolicy: 'Background' });
    await waitFor(async () => (await kube.get(at(ns, 'gone-child'))) === undefined);
    expect(await kube.get(at(ns, 'kept-child'))).toBeDefined();
  });

  it('watches from a version with bookmarks, stops on abort, and yields a 410 for an expired version', async () => {
    const ns = await freshNamespace();
    const start = await kube.list(cm, ns);
    const abort = new AbortController();
    const events: WatchEvent[] = [];
    const watching = (async () => {
      const options = {
        resourceVersion: start.resourceVersion,
        allowWatchBookmarks: true,
        signal: abort.signal,
      };
      for await (const event of kube.watch(cm, ns, options)) events.push(event);
    })();
    await kube.create(cm, ns, configMap('w', { k: 'v' }));
    await waitFor(() => {
      const added = events.findIndex((e) => e.type === 'ADDED');
      return added >= 0 && events.slice(added).some((e) => e.type === 'BOOKMARK');
    });
    expect(events.find((e) => e.type === 'ADDED')!.object).toMatchObject({ metadata: { name: 'w' } });
    abort.abort();
    await within(watching, 2000, 'the watch to end on abort');

    // Push the version out of the emulator's window of 10 changes.
    for (let i = 0; i < 12; i++) await kube.create(cm, ns, configMap(`fill-${i}`, {}));
    const expired: WatchEvent[] = [];
    for await (const event of kube.watch(cm, ns, { resourceVersion: start.resourceVersion }))
      expired.push(event);
    expect(expired).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
    ]);
  });

  it('ends an aborted request with CLOSED, naming it', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(kube.get(at('default', 'x'), { signal: abort.signal })).rejects.toMatchObject({
      code: 'CLOSED',
      message: 'get v1 ConfigMap default/x: stopped',
    });
  });

  it('names requests as the caller asks', async () => {
    const named = new KubeRest(emulator.kubeConfig(), {
      namer: (verb, t) => `${verb} ${t.resource.kind} ${t.name}`,
    });
    try {
      await expect(named.create(cm, 'no-such-namespace', configMap('n', {}))).rejects.toThrow(
        /^create ConfigMap n: 404 NotFound: /,
      );
    } finally {
      await named.close();
    }
  });

  it('sends a request again on a fresh connection when a reused kept-alive one is reset', async () => {
    const proxy = await resettingProxy(emulator.port);
    const kc = makeKubeConfig({
      server: `https://127.0.0.1:${proxy.port}`,
      token: emulator.token,
      caPem: emulator.caPem,
    });
    const client = new KubeRest(kc);
    try {
      const ns = await freshNamespace();
      await client.get(at(ns, 'anything'));
      expect(proxy.counts()).toEqual({ connections: 1, resets: 0 });
      proxy.armOpenConnections();
      emulator.clearAudit();
      const created = await client.create(cm, ns, configMap('once', { k: 'v' }));
      expect(created.metadata.name).toBe('once');
      expect(proxy.counts()).toEqual({ connections: 2, resets: 1 });
      // The lost request never reached the server: one create, not two.
      expect(
        emulator
          .audit()
          .filter((e) => e.name === 'once')
          .map((e) => e.verb),
      ).toEqual(['create']);
    } finally {
      await client.close();
      await proxy.close();
    }
  });
});
