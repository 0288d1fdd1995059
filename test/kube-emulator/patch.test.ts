import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { apiError, asPatch, clients, deployment, startTestEmulator } from './fixture.ts';

describe('kube-emulator: merge, JSON and strategic merge patches', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;
  const namespace = 'default';

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
    api = clients(emulator);
  });
  afterAll(() => emulator.close());

  it('applies a JSON merge patch: objects merge, null deletes', async () => {
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'merge', labels: { a: '1', b: '2' } }, data: { x: '1' } },
    });
    const patched = await api.core.patchNamespacedConfigMap(
      { namespace, name: 'merge', body: { metadata: { labels: { b: null, c: '3' } }, data: { y: '2' } } },
      asPatch.merge,
    );
    expect(patched.metadata?.labels).toEqual({ a: '1', c: '3' });
    expect(patched.data).toEqual({ x: '1', y: '2' });
  });

  it('applies a JSON patch (the default content type of the generated patch calls)', async () => {
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'jsonpatch' }, data: { x: '1' } },
    });
    const patched = await api.core.patchNamespacedConfigMap({
      namespace,
      name: 'jsonpatch',
      body: [
        { op: 'test', path: '/data/x', value: '1' },
        { op: 'replace', path: '/data/x', value: '2' },
        { op: 'add', path: '/metadata/labels', value: { 'app.kubernetes.io/name': 'demo' } },
      ],
    });
    expect(patched.data).toEqual({ x: '2' });
    expect(patched.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'demo' });
    const failed = await apiError(
      api.core.patchNamespacedConfigMap(
        { namespace, name: 'jsonpatch', body: [{ op: 'test', path: '/data/x', value: 'nope' }] },
        asPatch.json,
      ),
    );
    expect(failed.code).toBe(422);
    const missing = await apiError(
      api.core.patchNamespacedConfigMap(
        { namespace, name: 'jsonpatch', body: [{ op: 'remove', path: '/data/absent' }] },
        asPatch.json,
      ),
    );
    expect(missing.code).toBe(422);
  });

  it('answers 404 for a patch of a missing object and 409 for a stale resourceVersion in the patch', async () => {
    expect(
      (
        await apiError(
          api.core.patchNamespacedConfigMap({ namespace, name: 'nope', body: { data: {} } }, asPatch.merge),
        )
      ).code,
    ).toBe(404);
    const created = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'pre' } },
    });
    await api.core.patchNamespacedConfigMap(
      { namespace, name: 'pre', body: { data: { a: 'b' } } },
      asPatch.merge,
    );
    const stale = await apiError(
      api.core.patchNamespacedConfigMap(
        {
          namespace,
          name: 'pre',
          body: { metadata: { resourceVersion: created.metadata?.resourceVersion }, data: { a: 'c' } },
        },
        asPatch.merge,
      ),
    );
    expect(stale.code).toBe(409);
  });

  it('merges containers, env, ports and volumes by their keys in a strategic merge patch', async () => {
    const base = deployment('smp');
    const spec = base.spec.template.spec as Record<string, unknown>;
    spec.containers = [
      {
        name: 'app',
        image: 'app:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        ports: [{ containerPort: 80 }],
      },
      { name: 'sidecar', image: 'sidecar:1' },
    ];
    spec.volumes = [{ name: 'config', configMap: { name: 'c' } }];
    await api.apps.createNamespacedDeployment({ namespace, body: base });
    const patched = await api.apps.patchNamespacedDeployment(
      {
        namespace,
        name: 'smp',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'app:2',
                    env: [
                      { name: 'B', value: 'two' },
                      { name: 'C', value: '3' },
                    ],
                    ports: [{ containerPort: 9090, name: 'metrics' }],
                  },
                ],
                volumes: [{ name: 'data', emptyDir: {} }],
              },
            },
          },
        },
      },
      asPatch.strategic,
    );
    const containers = patched.spec?.template.spec?.containers ?? [];
    expect(containers.map((c) => [c.name, c.image])).toEqual([
      ['app', 'app:2'],
      ['sidecar', 'sidecar:1'],
    ]);
    expect(containers[0]?.env?.map((e) => `${e.name}=${e.value}`)).toEqual(['A=1', 'B=two', 'C=3']);
    expect(containers[0]?.ports?.map((p) => p.containerPort)).toEqual([80, 9090]);
    expect(patched.spec?.template.spec?.volumes?.map((v) => v.name)).toEqual(['config', 'data']);
  });

  it('honours $patch: delete, and merges finalizers as a set', async () => {
    await api.core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'svc', finalizers: ['example.com/a'] },
        spec: {
          ports: [
            { port: 80, name: 'http' },
            { port: 443, name: 'https' },
          ],
        },
      },
    });
    const patched = await api.core.patchNamespacedService(
      {
        namespace,
        name: 'svc',
        body: {
          metadata: { finalizers: ['example.com/b'] },
          spec: {
            ports: [
              { port: 443, $patch: 'delete' },
              { port: 8080, name: 'alt' },
            ],
          },
        },
      },
      asPatch.strategic,
    );
    expect(patched.spec?.ports?.map((p) => p.port)).toEqual([80, 8080]);
    expect(patched.metadata?.finalizers).toEqual(['example.com/a', 'example.com/b']);
    // An empty list does not clear a merge-strategy list; `$deleteFromPrimitiveList` removes items.
    const cleared = await api.core.patchNamespacedService(
      {
        namespace,
        name: 'svc',
        body: { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a', 'example.com/b'] } },
      },
      asPatch.strategic,
    );
    expect(cleared.metadata?.finalizers ?? []).toEqual([]);
  });

  it('sends strategic merge patches from KubernetesObjectApi.patch by default', async () => {
    await api.objects.create(deployment('objpatch'));
    const patched = await api.objects.patch({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'objpatch', namespace },
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'sidecar:1' }] } } },
    });
    const containers = (patched as { spec: { template: { spec: { containers: { name: string }[] } } } }).spec
      .template.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
    const merged = await api.objects.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'objpatch', namespace },
        spec: { replicas: 4 },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    expect((merged as { spec: { replicas: number } }).spec.replicas).toBe(4);
  });

  it('refuses an unknown patch content type with 415', async () => {
    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'ctype' } } });
    const { code, status } = await apiError(
      api.core.patchNamespacedConfigMap(
        { namespace, name: 'ctype', body: {} },
        setHeaderOptions('Content-Type', 'text/plain'),
      ),
    );
    expect(code).toBe(415);
    expect(status.reason).toBe('UnsupportedMediaType');
  });
});
