import { KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { uniqueName } from '../../../support/unique.ts';
import { configMapYaml, engineFixture } from './fixture.ts';

const TRACKING = 'impulse.dev/tracking-id';

function clusterRoleYaml(name: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${name}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get]
`;
}

describe('gitops engine: ownership by tracking id', () => {
  it('two applications with the same name in different destinations never prune each other', async () => {
    await using f = await engineFixture();
    const other = uniqueName('gitops');
    const roleA = uniqueName('role-a');
    const roleB = uniqueName('role-b');
    f.repo.commit({
      'a/role.yaml': clusterRoleYaml(roleA),
      'a/cm.yaml': configMapYaml('settings'),
      'b/role.yaml': clusterRoleYaml(roleB),
      'b/cm.yaml': configMapYaml('settings'),
    });
    const appA = f.app({ path: 'a', prune: true });
    const appB = f.app({
      path: 'b',
      prune: true,
      destination: { namespace: other },
      syncOptions: ['CreateNamespace=true'],
    });
    expect(appA.name).toBe(appB.name);

    expect((await f.engine.sync(appA)).phase).toBe('Succeeded');
    expect((await f.engine.sync(appB)).phase).toBe('Succeeded');
    const api = KubernetesObjectApi.makeApiClient(f.emulator.kubeConfig());
    const read = (name: string) =>
      api
        .read({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name } })
        .then((o) => o)
        .catch(() => undefined);
    expect((await read(roleA))?.metadata?.annotations?.[TRACKING]).toBe(`${f.namespace}/${appA.name}`);
    expect((await read(roleB))?.metadata?.annotations?.[TRACKING]).toBe(`${other}/${appB.name}`);

    // Each sees only its own objects: nothing of the other is extraneous, a sync with prune keeps it.
    const refreshA = await f.engine.refresh(appA);
    expect(refreshA.syncStatus).toBe('Synced');
    expect(refreshA.resources.map((r) => r.name).sort()).toEqual([roleA, 'settings'].sort());
    const again = await f.engine.sync(appA);
    expect(again.resources.filter((r) => r.status === 'Pruned')).toEqual([]);
    expect(await read(roleB)).toBeDefined();

    // Removing A's ClusterRole from Git prunes it, and only it.
    f.repo.commit({ 'a/role.yaml': null });
    const pruned = await f.engine.sync(appA);
    expect(pruned.phase).toBe('Succeeded');
    expect(pruned.resources.filter((r) => r.status === 'Pruned').map((r) => r.name)).toEqual([roleA]);
    expect(await read(roleA)).toBeUndefined();
    expect(await read(roleB)).toBeDefined();

    // And B, synced again, still finds its own ClusterRole in place.
    const refreshB = await f.engine.refresh(appB);
    expect(refreshB.syncStatus).toBe('Synced');
    expect(refreshB.resources.map((r) => r.name).sort()).toEqual([roleB, 'settings'].sort());
  });

  it('objects labelled by earlier versions (no tracking id) are owned only when namespaced in the destination', async () => {
    await using f = await engineFixture();
    // A ClusterRole of its own, so that the engine lists ClusterRoles (and so meets the legacy one).
    f.repo.commit({
      'app/cm.yaml': configMapYaml('settings'),
      'app/role.yaml': clusterRoleYaml(uniqueName('own')),
    });
    const app = f.app({ prune: true });
    const api = KubernetesObjectApi.makeApiClient(f.emulator.kubeConfig());
    const legacyRole = uniqueName('legacy-role');
    const labels = { 'impulse.dev/app': app.name };
    await api.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: legacyRole, labels },
      rules: [],
    } as never);
    await api.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'legacy-cm', namespace: f.namespace, labels },
      data: { k: 'v' },
    } as never);

    const result = await f.engine.sync(app);

    expect(result.phase).toBe('Succeeded');
    expect(result.resources.filter((r) => r.status === 'Pruned').map((r) => r.name)).toEqual(['legacy-cm']);
    const role = await api
      .read({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: legacyRole },
      })
      .catch(() => undefined);
    expect(role?.metadata?.name).toBe(legacyRole);
  });
});
