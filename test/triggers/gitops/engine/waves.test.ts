import { describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../../../triggers/gitops/engine/index.ts';
import { EMULATOR_ANNOTATIONS } from '../../../support/kube-emulator/index.ts';
import { configMapYaml, deploymentYaml, engineFixture } from './fixture.ts';

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });

describe('gitops engine: waves wait for health', () => {
  it('starts the next wave only once the Deployment of the previous one is available', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/web.yaml': deploymentYaml('web', { ...wave(0), [EMULATOR_ANNOTATIONS.delay]: '400' }),
      'app/after.yaml': configMapYaml('after', { k: 'v' }, wave(1)),
    });
    const { kubeConfig } = f.emulator;
    const { AppsV1Api } = await import('@kubernetes/client-node');
    const apps = kubeConfig().makeApiClient(AppsV1Api);
    let availableAtNextWave: Promise<unknown> | undefined;
    const progress: SyncProgress[] = [];

    const result = await f.engine.sync(f.app(), {
      onProgress: (p) => {
        progress.push(p);
        if (p.kind === 'wave-started' && p.wave === 1) {
          // Read at the moment wave 1 starts: the Deployment must already be available then.
          availableAtNextWave = apps
            .readNamespacedDeployment({ name: 'web', namespace: f.namespace })
            .then((d) => d.status?.availableReplicas);
        }
      },
    });

    expect(result.phase).toBe('Succeeded');
    expect(await availableAtNextWave).toBe(1);
    const waited = progress.find((p) => p.kind === 'waiting');
    expect(waited).toMatchObject({
      syncPhase: 'Sync',
      wave: 0,
      waitingFor: [{ kind: 'Deployment', name: 'web', healthStatus: 'Progressing' }],
    });
    expect(result.healthStatus).toBe('Healthy');
  });

  it('ends Failed at waveTimeout with the resources still waiting, and never applies the later waves', async () => {
    await using f = await engineFixture({ engine: { waveTimeoutMs: 600 } });
    f.repo.commit({
      'app/stuck.yaml': deploymentYaml('stuck', { [EMULATOR_ANNOTATIONS.stall]: 'true' }),
      'app/fine.yaml': configMapYaml('fine'),
      'app/after.yaml': configMapYaml('after', { k: 'v' }, wave(1)),
    });

    const { result } = await f.sync();

    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(
      /^waveTimeout: Sync wave 0 was not done after 0.6 s; still waiting for Deployment [a-z0-9-]+\/stuck \(Progressing: /,
    );
    expect(result.message).not.toContain('fine');
    expect(f.writes().map((w) => w.name)).not.toContain('after');
    expect(result.healthStatus).toBe('Missing'); // 'after' was never created
  });

  it('health-gates the last wave too: a Degraded Deployment fails the sync', async () => {
    await using f = await engineFixture();
    f.repo.commit({ 'app/bad.yaml': deploymentYaml('bad', { [EMULATOR_ANNOTATIONS.degrade]: 'true' }) });

    const { result } = await f.sync();

    expect(result.phase).toBe('Failed');
    expect(result.message).toContain('Deployment');
    expect(result.message).toContain('exceeded its progress deadline');
    expect(result.resources).toEqual([expect.objectContaining({ name: 'bad', status: 'SyncFailed' })]);
    expect(result.healthStatus).toBe('Degraded');
  });
});
