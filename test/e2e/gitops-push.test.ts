import { randomUUID } from 'node:crypto';
import { AppsV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { deployment, GitOpsWorld, ofType } from '../triggers/gitops/e2e-world.ts';

let world: GitOpsWorld;
beforeEach(async () => {
  world = await GitOpsWorld.start();
});
afterEach(async () => {
  await world[Symbol.asyncDispose]();
});

/** A sensor that syncs application `web` from the world's repository at the pushed commit. */
function pushSensor(name: string): string {
  return `apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: ${name}}
spec:
  dependencies:
    - {name: push, eventSourceName: hooks, eventName: push}
  triggers:
    - template:
        name: sync
        gitops:
          name: web
          repoURL: ${world.repo.url}
          path: app
          destination: {namespace: demo}
          waveDelay: 100ms
          waveTimeout: 60s
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: revision
`;
}

describe('gitops trigger: push to sync', () => {
  it('syncs the pushed commit; three pushes during one slow sync end in exactly one more sync, of the newest', async () => {
    const { spine } = world;
    await spine.run('eventsource', await spine.write('es.yaml', spine.webhookEventSource({ push: '/push' })));
    await spine.run(
      'sensor',
      await spine.write('sensor.yaml', pushSensor(`deploy${randomUUID().slice(0, 6)}`)),
      {
        env: world.env,
      },
    );
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    const image = async () =>
      (await apps.readNamespacedDeployment({ name: 'web', namespace: 'demo' })).spec?.template.spec
        ?.containers[0]?.image;
    const succeeded = async (revision: string) =>
      ofType(await world.outcomes(), 'impulse.sync.succeeded').find((e) => e.data.revision === revision);

    // Given a pushed commit, the application is synced at that commit.
    const c1 = await world.repo.commit({ 'app/web.yaml': deployment({ name: 'web', image: 'web:1' }) });
    expect((await spine.post('/push', { ref: 'refs/heads/main', after: c1 })).status).toBe(200);
    const first = await waitFor(() => succeeded(c1), {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: 'the sync of c1',
    });
    expect(first.data).toMatchObject({
      app: 'web',
      phase: 'Succeeded',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
    });
    expect(first.data.resources).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: 'web', namespace: 'demo', status: 'Synced' }),
    ]);
    expect(await image()).toBe('web:1');

    // A slow sync: the Deployment of c2 becomes ready only after 4 s.
    const c2 = await world.repo.commit({
      'app/web.yaml': deployment({
        name: 'web',
        image: 'web:2',
        annotations: { 'emulator.impulse.dev/delay-ms': '4000' },
      }),
    });
    await spine.post('/push', { ref: 'refs/heads/main', after: c2 });
    await waitFor(
      async () => ofType(await world.outcomes(), 'impulse.sync.started').find((e) => e.data.revision === c2),
      { timeoutMs: 20_000, intervalMs: 100, message: 'the sync of c2 to start' },
    );
    // Three pushes while it runs.
    const c3 = await world.repo.commit({ 'app/web.yaml': deployment({ name: 'web', image: 'web:3' }) });
    const c4 = await world.repo.commit({ 'app/web.yaml': deployment({ name: 'web', image: 'web:4' }) });
    const c5 = await world.repo.commit({ 'app/web.yaml': deployment({ name: 'web', image: 'web:5' }) });
    for (const commit of [c3, c4, c5]) await spine.post('/push', { ref: 'refs/heads/main', after: commit });
    expect(await succeeded(c2)).toBeUndefined();

    await waitFor(() => succeeded(c5), { timeoutMs: 40_000, intervalMs: 200, message: 'the sync of c5' });
    const outcomes = await waitFor(
      async () => {
        const all = await world.outcomes();
        return ofType(all, 'impulse.trigger.fired').length === 5 ? all : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, message: 'all five firings to finish' },
    );
    // Exactly one more sync after c2's, and it was c5's.
    expect(ofType(outcomes, 'impulse.sync.started').map((e) => e.data.revision)).toEqual([c1, c2, c5]);
    expect(ofType(outcomes, 'impulse.sync.succeeded').map((e) => e.data.revision)).toEqual([c1, c2, c5]);
    const last = ofType(outcomes, 'impulse.sync.succeeded')[2]!;
    expect((last.data.covers as string[]).length).toBe(3);
    // c3 and c4 finished as superseded (acked once c5's sync was done), none failed.
    const fired = ofType(outcomes, 'impulse.trigger.fired');
    expect(fired.filter((e) => e.data.supersededBy !== undefined)).toHaveLength(2);
    expect(ofType(outcomes, 'impulse.trigger.failed')).toEqual([]);
    expect(ofType(outcomes, 'impulse.sync.progress').length).toBeGreaterThanOrEqual(3);
    expect(await image()).toBe('web:5');
  }, 120_000);
});
