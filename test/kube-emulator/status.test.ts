import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { asPatch, clients, deployment, rawRequest, startTestEmulator } from './fixture.ts';

describe('kube-emulator: the status subresource', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;
  const namespace = 'default';

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
    api = clients(emulator);
  });
  afterAll(() => emulator.close());

  it('drops status on create and ignores it on updates of the main resource', async () => {
    const body = { ...deployment('main'), status: { replicas: 9 } };
    const created = await api.apps.createNamespacedDeployment({ namespace, body });
    expect(created.status?.replicas).toBeUndefined();
    const updated = await api.apps.replaceNamespacedDeployment({
      namespace,
      name: 'main',
      body: { ...created, status: { replicas: 7 } },
    });
    expect(updated.status?.replicas).toBeUndefined();
    expect(updated.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('changes only status through /status, without bumping generation', async () => {
    const created = await api.apps.createNamespacedDeployment({ namespace, body: deployment('sub') });
    const updated = await api.apps.replaceNamespacedDeploymentStatus({
      namespace,
      name: 'sub',
      body: {
        ...created,
        spec: { ...created.spec!, replicas: 42 },
        status: { observedGeneration: 1, replicas: 2 },
      },
    });
    expect(updated.status).toMatchObject({ observedGeneration: 1, replicas: 2 });
    expect(updated.spec?.replicas).toBe(2);
    expect(updated.metadata?.generation).toBe(1);
    const patched = await api.apps.patchNamespacedDeploymentStatus(
      { namespace, name: 'sub', body: { status: { readyReplicas: 2 } } },
      asPatch.merge,
    );
    expect(patched.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    const read = await api.apps.readNamespacedDeploymentStatus({ namespace, name: 'sub' });
    expect(read.status?.readyReplicas).toBe(2);
  });

  it('records status writes as their own managedFields entry', async () => {
    await api.apps.createNamespacedDeployment({ namespace, body: deployment('owners') });
    const patched = await api.apps.patchNamespacedDeploymentStatus(
      { namespace, name: 'owners', body: { status: { replicas: 1 } }, fieldManager: 'my-controller' },
      asPatch.merge,
    );
    const entry = patched.metadata?.managedFields?.find((e) => e.manager === 'my-controller');
    expect(entry).toMatchObject({ operation: 'Update', subresource: 'status', fieldsType: 'FieldsV1' });
    expect(entry?.fieldsV1).toEqual({ 'f:status': { 'f:replicas': {} } });
  });

  it('has no /status for kinds without the subresource', async () => {
    await api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cm' } } });
    const res = await rawRequest(emulator, 'GET', '/api/v1/namespaces/default/configmaps/cm/status');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });
});
