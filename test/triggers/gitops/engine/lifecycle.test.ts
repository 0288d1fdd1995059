import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { configMapYaml, deploymentYaml, engineFixture } from './fixture.ts';

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });

describe('gitops engine: from one commit to the next', () => {
  it('applies a change, prunes removed resources in reverse wave order, then reports all Synced and Healthy', async () => {
    await using f = await engineFixture();
    const commitA = f.repo.commit({
      'app/web.yaml': deploymentYaml('web', {}, 'nginx:1.26'),
      'app/zero.yaml': configMapYaml('zero', { k: 'v' }, wave(0)),
      'app/one.yaml': configMapYaml('one', { k: 'v' }, wave(1)),
      'app/two.yaml': configMapYaml('two', { k: 'v' }, wave(2)),
    });
    const a = await f.sync({ revision: commitA });
    expect(a.result.phase).toBe('Succeeded');
    expect(a.result.revision).toBe(commitA);

    f.repo.commit({
      'app/web.yaml': deploymentYaml('web', {}, 'nginx:1.27'),
      'app/zero.yaml': null,
      'app/one.yaml': null,
      'app/two.yaml': null,
      'app/kept.yaml': configMapYaml('kept'),
    });
    const refreshB = await f.engine.refresh(f.app());
    expect(refreshB.syncStatus).toBe('OutOfSync');
    const byName = Object.fromEntries(refreshB.resources.map((r) => [r.name, r]));
    expect(byName.web).toMatchObject({
      syncStatus: 'OutOfSync',
      reason: 'changed',
      diff: ['.spec.template.spec.containers[0].image'],
    });
    expect(byName.kept).toMatchObject({
      syncStatus: 'OutOfSync',
      reason: 'missing',
      healthStatus: 'Missing',
    });
    for (const n of ['zero', 'one', 'two'])
      expect(byName[n]).toMatchObject({ syncStatus: 'OutOfSync', reason: 'extraneous' });

    f.emulator.clearAudit();
    const b = await f.sync({ prune: true });
    expect(b.result.phase).toBe('Succeeded');
    const deletes = f
      .writes()
      .filter((w) => w.verb === 'delete')
      .map((w) => w.name);
    expect(deletes).toEqual(['two', 'one', 'zero']);
    const pruned = b.result.resources.filter((r) => r.status === 'Pruned').map((r) => `${r.name}@${r.wave}`);
    expect(pruned.sort()).toEqual(['one@1', 'two@0', 'zero@2']);
    const apps = f.emulator.kubeConfig().makeApiClient(AppsV1Api);
    const web = await apps.readNamespacedDeployment({ name: 'web', namespace: f.namespace });
    expect(web.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.27');

    const again = await f.sync({ prune: true });
    expect(again.result.phase).toBe('Succeeded');
    expect(again.result.syncStatus).toBe('Synced');
    expect(again.result.healthStatus).toBe('Healthy');
    const refresh = await f.engine.refresh(f.app());
    expect(refresh).toMatchObject({
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      revision: f.repo.git('rev-parse', 'HEAD'),
    });
    expect(refresh.resources.map((r) => [r.name, r.syncStatus]).sort()).toEqual([
      ['kept', 'Synced'],
      ['web', 'Synced'],
    ]);
  });

  it('without --prune leaves removed resources in place, PruneSkipped and OutOfSync', async () => {
    await using f = await engineFixture();
    f.repo.commit({ 'app/a.yaml': configMapYaml('a'), 'app/b.yaml': configMapYaml('b') });
    await f.sync();
    f.repo.commit({ 'app/b.yaml': null });

    const { result } = await f.sync();

    expect(result.phase).toBe('Succeeded');
    expect(result.resources.find((r) => r.name === 'b')).toMatchObject({
      status: 'PruneSkipped',
      message: 'ignored (requires pruning)',
    });
    expect(result.syncStatus).toBe('OutOfSync');
    expect(f.writes().filter((w) => w.verb === 'delete')).toEqual([]);
  });

  it('shows drift as OutOfSync on refresh and restores it with a sync', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/settings.yaml': configMapYaml('settings', { mode: 'safe' }),
      'app/web.yaml': deploymentYaml('web'),
    });
    await f.sync();
    const core = f.emulator.kubeConfig().makeApiClient(CoreV1Api);
    const apps = f.emulator.kubeConfig().makeApiClient(AppsV1Api);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: f.namespace, body: { data: { mode: 'fast' } } },
      merge,
    );
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: f.namespace, body: { spec: { replicas: 3 } } },
      merge,
    );

    const drifted = await f.engine.refresh(f.app());
    expect(drifted.syncStatus).toBe('OutOfSync');
    expect(drifted.resources.find((r) => r.name === 'settings')).toMatchObject({
      reason: 'changed',
      diff: ['.data.mode'],
    });
    expect(drifted.resources.find((r) => r.name === 'web')).toMatchObject({
      reason: 'changed',
      diff: ['.spec.replicas'],
    });

    const { result } = await f.sync();
    expect(result.phase).toBe('Succeeded');
    expect((await core.readNamespacedConfigMap({ name: 'settings', namespace: f.namespace })).data).toEqual({
      mode: 'safe',
    });
    expect(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: f.namespace })).spec?.replicas,
    ).toBe(1);
    expect((await f.engine.refresh(f.app())).syncStatus).toBe('Synced');
  });
});
