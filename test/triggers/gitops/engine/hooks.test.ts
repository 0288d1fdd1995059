import { BatchV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EMULATOR_ANNOTATIONS } from '../../../support/kube-emulator/index.ts';
import { configMapYaml, deploymentYaml, engineFixture, jobYaml } from './fixture.ts';

const HOOK = 'argocd.argoproj.io/hook';
const POLICY = 'argocd.argoproj.io/hook-delete-policy';

describe('gitops engine: hooks', () => {
  it('a failing PreSync Job: nothing of the Sync phase applied, SyncFail hooks run, result Failed', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/migrate.yaml': jobYaml('migrate', { [HOOK]: 'PreSync', [EMULATOR_ANNOTATIONS.fail]: 'true' }),
      'app/web.yaml': deploymentYaml('web'),
      'app/cm.yaml': configMapYaml('settings'),
      'app/post.yaml': jobYaml('post', { [HOOK]: 'PostSync' }),
      'app/notify.yaml': jobYaml('notify', { [HOOK]: 'SyncFail' }),
      'app/cleanup.yaml': jobYaml('cleanup-', { [HOOK]: 'SyncFail' }, true),
    });

    const { result } = await f.sync();

    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(
      /^one or more synchronization tasks completed unsuccessfully: Job [a-z0-9-]+\/migrate: Job has reached the specified backoff limit$/,
    );
    const written = f.writes().map((w) => `${w.verb} ${w.kind}/${w.name}`);
    expect(written[0]).toBe('apply Job/migrate');
    expect(new Set(written.slice(1))).toEqual(
      new Set(['apply Job/notify', expect.stringMatching(/^apply Job\/cleanup-[0-9a-f]{7}-syncfail-\d+$/)]),
    );
    expect(written).toHaveLength(3);
    expect(result.resources.find((r) => r.name === 'migrate')).toMatchObject({
      hookPhase: 'Failed',
      syncPhase: 'PreSync',
    });
    expect(result.resources.find((r) => r.name === 'notify')).toMatchObject({
      hookType: 'SyncFail',
      hookPhase: 'Succeeded',
    });
    expect(result.resources.some((r) => r.name === 'web' || r.name === 'settings' || r.name === 'post')).toBe(
      false,
    );
  });

  it('says so when the SyncFail hooks fail as well', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/migrate.yaml': jobYaml('migrate', { [HOOK]: 'PreSync', [EMULATOR_ANNOTATIONS.fail]: 'true' }),
      'app/notify.yaml': jobYaml('notify', { [HOOK]: 'SyncFail', [EMULATOR_ANNOTATIONS.fail]: 'true' }),
    });
    const { result } = await f.sync();
    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(/; one or more SyncFail hooks failed$/);
  });

  it('honours delete policies: HookSucceeded deletes after success, HookFailed after failure, BeforeHookCreation replaces', async () => {
    await using f = await engineFixture();
    const batch = f.emulator.kubeConfig().makeApiClient(BatchV1Api);
    const jobs = async () =>
      (await batch.listNamespacedJob({ namespace: f.namespace })).items.map((j) => j.metadata?.name).sort();
    f.repo.commit({
      'app/gone-on-success.yaml': jobYaml('gone-on-success', {
        [HOOK]: 'PostSync',
        [POLICY]: 'HookSucceeded',
      }),
      'app/gone-on-failure.yaml': jobYaml('gone-on-failure', { [HOOK]: 'PreSync', [POLICY]: 'HookFailed' }),
      'app/replaced.yaml': jobYaml('replaced', { [HOOK]: 'PreSync' }),
      'app/cm.yaml': configMapYaml('cm'),
    });

    const first = await f.sync();
    expect(first.result.phase).toBe('Succeeded');
    expect(await jobs()).toEqual(['gone-on-failure', 'replaced']);
    const uid = (await batch.readNamespacedJob({ name: 'replaced', namespace: f.namespace })).metadata?.uid;

    const second = await f.sync();
    expect(second.result.phase).toBe('Succeeded');
    const writes = f.writes().map((w) => `${w.verb} ${w.kind}/${w.name}`);
    // BeforeHookCreation (the default) deleted the old 'replaced' before creating it again.
    expect(writes.filter((w) => w.endsWith('Job/replaced'))).toEqual([
      'apply Job/replaced',
      'delete Job/replaced',
      'apply Job/replaced',
    ]);
    const again = await batch.readNamespacedJob({ name: 'replaced', namespace: f.namespace });
    expect(again.metadata?.uid).not.toBe(uid);

    f.repo.commit({
      'app/cm.yaml': configMapYaml('cm'),
      'app/broken.yaml': jobYaml('broken', { [HOOK]: 'PostSync', [EMULATOR_ANNOTATIONS.fail]: 'true' }),
    });
    const third = await f.sync();
    expect(third.result.phase).toBe('Failed');
    // HookFailed removed 'gone-on-failure'; HookSucceeded keeps 'gone-on-success' of a failed operation.
    expect(await jobs()).toEqual(['broken', 'gone-on-success', 'replaced']);
  });

  it('runs a generateName hook anew on every sync', async () => {
    await using f = await engineFixture();
    const batch = f.emulator.kubeConfig().makeApiClient(BatchV1Api);
    f.repo.commit({
      'app/smoke.yaml': jobYaml('smoke-', { [HOOK]: 'PostSync' }, true),
      'app/cm.yaml': configMapYaml('cm'),
    });

    const first = await f.sync();
    const second = await f.sync();

    const names = [first, second].map((s) => s.result.resources.find((r) => r.hookType === 'PostSync')?.name);
    expect(names[0]).toMatch(/^smoke-[0-9a-f]{7}-postsync-\d+$/);
    expect(names[1]).toMatch(/^smoke-[0-9a-f]{7}-postsync-\d+$/);
    expect(names[0]).not.toBe(names[1]);
    const live = (await batch.listNamespacedJob({ namespace: f.namespace })).items.map(
      (j) => j.metadata?.name,
    );
    expect(live.sort()).toEqual([...names].sort());
    expect(second.result.resources.find((r) => r.name === names[1])).toMatchObject({
      hookPhase: 'Succeeded',
    });
  });
});
