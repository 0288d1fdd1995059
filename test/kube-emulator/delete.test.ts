import type { V1ConfigMap, V1OwnerReference } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { waitFor } from '../support/wait.ts';
import { apiError, asPatch, clients, startTestEmulator, uniqueName } from './fixture.ts';

describe('kube-emulator: deletion, finalizers and garbage collection', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;
  let namespace: string;

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
    api = clients(emulator);
    namespace = uniqueName('delete');
    await api.core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(() => emulator.close());

  const gone = (name: string) =>
    api.core.readNamespacedConfigMap({ namespace, name }).then(
      () => false,
      (err: { code?: number }) => err.code === 404,
    );
  const ownerRef = (owner: V1ConfigMap): V1OwnerReference => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    blockOwnerDeletion: true,
  });

  it('deletes at once without finalizers and answers a Success Status', async () => {
    const created = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'plain' } },
    });
    const status = await api.core.deleteNamespacedConfigMap({ namespace, name: 'plain' });
    expect(status).toMatchObject({
      status: 'Success',
      details: { name: 'plain', kind: 'configmaps', uid: created.metadata?.uid },
    });
    expect(await gone('plain')).toBe(true);
    expect((await apiError(api.core.deleteNamespacedConfigMap({ namespace, name: 'plain' }))).code).toBe(404);
  });

  it('holds an object with finalizers (deletionTimestamp set) until they are removed', async () => {
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } },
    });
    await api.core.deleteNamespacedConfigMap({ namespace, name: 'held' });
    const held = await api.core.readNamespacedConfigMap({ namespace, name: 'held' });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(held.metadata?.finalizers).toEqual(['example.com/hold']);
    const added = await apiError(
      api.core.patchNamespacedConfigMap(
        {
          namespace,
          name: 'held',
          body: { metadata: { finalizers: ['example.com/hold', 'example.com/new'] } },
        },
        asPatch.merge,
      ),
    );
    expect(added.code).toBe(422);
    expect(added.status.message).toContain('no new finalizers can be added');
    await api.core.patchNamespacedConfigMap(
      { namespace, name: 'held', body: { metadata: { finalizers: null } } },
      asPatch.merge,
    );
    expect(await gone('held')).toBe(true);
  });

  it('checks delete preconditions', async () => {
    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'precondition' } } });
    const { code } = await apiError(
      api.core.deleteNamespacedConfigMap({
        namespace,
        name: 'precondition',
        body: { preconditions: { resourceVersion: '1' } },
      }),
    );
    expect(code).toBe(409);
  });

  it('garbage-collects dependents in the background', async () => {
    const owner = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'bg-owner' } },
    });
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'bg-child', ownerReferences: [ownerRef(owner)] } },
    });
    await api.core.deleteNamespacedConfigMap({
      namespace,
      name: 'bg-owner',
      propagationPolicy: 'Background',
    });
    expect(await gone('bg-owner')).toBe(true);
    await waitFor(() => gone('bg-child'), { message: 'the dependent to be collected' });
  });

  it('keeps a dependent that still has another owner, dropping the dangling reference', async () => {
    const a = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner-a' } },
    });
    const b = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner-b' } },
    });
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'shared', ownerReferences: [ownerRef(a), ownerRef(b)] } },
    });
    await api.core.deleteNamespacedConfigMap({ namespace, name: 'owner-a' });
    await waitFor(
      async () =>
        (await api.core.readNamespacedConfigMap({ namespace, name: 'shared' })).metadata?.ownerReferences
          ?.length === 1,
    );
  });

  it('deletes dependents first with Foreground propagation', async () => {
    const owner = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'fg-owner' } },
    });
    await api.core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: 'fg-child', ownerReferences: [ownerRef(owner)], finalizers: ['example.com/slow'] },
      },
    });
    await api.core.deleteNamespacedConfigMap({
      namespace,
      name: 'fg-owner',
      propagationPolicy: 'Foreground',
    });
    const waiting = await api.core.readNamespacedConfigMap({ namespace, name: 'fg-owner' });
    expect(waiting.metadata?.finalizers).toContain('foregroundDeletion');
    expect(waiting.metadata?.deletionTimestamp).toBeDefined();
    await waitFor(
      async () =>
        (await api.core.readNamespacedConfigMap({ namespace, name: 'fg-child' })).metadata?.deletionTimestamp,
    );
    expect(await gone('fg-owner')).toBe(false);
    await api.core.patchNamespacedConfigMap(
      { namespace, name: 'fg-child', body: { metadata: { finalizers: null } } },
      asPatch.merge,
    );
    await waitFor(() => gone('fg-owner'), { message: 'the owner to go after its dependent' });
  });

  it('orphans dependents with Orphan propagation', async () => {
    const owner = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'orphan-owner' } },
    });
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'orphan-child', ownerReferences: [ownerRef(owner)] } },
    });
    await api.core.deleteNamespacedConfigMap({
      namespace,
      name: 'orphan-owner',
      propagationPolicy: 'Orphan',
    });
    await waitFor(() => gone('orphan-owner'));
    const child = await api.core.readNamespacedConfigMap({ namespace, name: 'orphan-child' });
    expect(child.metadata?.ownerReferences).toBeUndefined();
  });

  it('rejects an unknown propagation policy', async () => {
    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'policy' } } });
    const { code } = await apiError(
      api.core.deleteNamespacedConfigMap({ namespace, name: 'policy', propagationPolicy: 'Sometimes' }),
    );
    expect(code).toBe(422);
  });

  it('deletes a namespace with its contents, and refuses new content while it terminates', async () => {
    const ns = uniqueName('doomed');
    await api.core.createNamespace({ body: { metadata: { name: ns } } });
    await api.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } },
    });
    await api.core.deleteNamespace({ name: ns });
    const terminating = await api.core.readNamespace({ name: ns });
    expect(terminating.status?.phase).toBe('Terminating');
    const refused = await apiError(
      api.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'late' } } }),
    );
    expect(refused.code).toBe(403);
    expect(refused.status.reason).toBe('Forbidden');
    await waitFor(
      async () =>
        (await api.core.readNamespacedConfigMap({ namespace: ns, name: 'held' })).metadata?.deletionTimestamp,
    );
    await api.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'held', body: { metadata: { finalizers: null } } },
      asPatch.merge,
    );
    await waitFor(async () => (await apiError(api.core.readNamespace({ name: ns }))).code === 404, {
      message: 'the namespace to go',
    });
  });

  it('refuses to delete the default namespace', async () => {
    const { code, status } = await apiError(api.core.deleteNamespace({ name: 'default' }));
    expect(code).toBe(403);
    expect(status.message).toContain('may not be deleted');
  });

  it('deletes a collection by label', async () => {
    for (const name of ['col-a', 'col-b']) {
      await api.core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name, labels: { batch: 'x' } } },
      });
    }
    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'col-keep' } } });
    await api.core.deleteCollectionNamespacedConfigMap({ namespace, labelSelector: 'batch=x' });
    const left = await api.core.listNamespacedConfigMap({ namespace, labelSelector: 'batch=x' });
    expect(left.items).toEqual([]);
    expect(await gone('col-keep')).toBe(false);
  });
});
