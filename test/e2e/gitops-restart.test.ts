import { randomUUID } from 'node:crypto';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
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

describe('gitops trigger: the sensor dies during a sync', () => {
  it('after a restart the sync is done again once and its result recorded', async () => {
    const { spine } = world;
    await spine.run('eventsource', await spine.write('es.yaml', spine.webhookEventSource({ push: '/push' })));
    const file = await spine.write(
      'sensor.yaml',
      `apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: deploy${randomUUID().slice(0, 6)}}
spec:
  dependencies:
    - {name: push, eventSourceName: hooks, eventName: push}
  triggers:
    - template:
        name: sync
        gitops:
          name: web
          repoURL: ${world.repo.url}
          destination: {namespace: demo}
          waveDelay: 100ms
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: revision
`,
    );
    const first = await spine.run('sensor', file, { env: world.env });
    const commit = await world.repo.commit({
      'web.yaml': deployment({
        name: 'web',
        image: 'web:1',
        annotations: { 'emulator.impulse.dev/delay-ms': '5000' },
      }),
    });
    await spine.post('/push', { after: commit });
    await waitFor(async () => ofType(await world.outcomes(), 'impulse.sync.started').length === 1, {
      timeoutMs: 20_000,
      intervalMs: 100,
      message: 'the sync to start',
    });
    await waitFor(() => world.writes('Deployment', 'web') === 1, {
      timeoutMs: 10_000,
      message: 'the Deployment applied',
    });

    // Killed while the wave waits for the Deployment: nothing acked, nothing recorded as done.
    first.kill('SIGKILL');
    await first.exited;
    const core = world.kube.kubeConfig().makeApiClient(CoreV1Api);
    const recorded = async () =>
      (
        await core
          .readNamespacedConfigMap({ name: 'impulse-app-web', namespace: 'demo' })
          .catch(() => undefined)
      )?.data;
    expect((await recorded())?.phase).toBe('Running');
    expect(ofType(await world.outcomes(), 'impulse.sync.succeeded')).toEqual([]);

    await spine.run('sensor', file, { env: world.env });
    // The new process waits for the sensor lease, gets the message again, and then for the dead
    // process's application Lease (30 s) before it syncs.
    const succeeded = await waitFor(async () => ofType(await world.outcomes(), 'impulse.sync.succeeded')[0], {
      timeoutMs: 90_000,
      intervalMs: 500,
      message: 'the sync to be done after the restart',
    });
    expect(succeeded.data).toMatchObject({
      app: 'web',
      revision: commit,
      phase: 'Succeeded',
      healthStatus: 'Healthy',
    });
    expect(await recorded()).toMatchObject({ phase: 'Succeeded', revision: commit, syncStatus: 'Synced' });
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    expect(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: 'demo' })).spec?.template.spec
        ?.containers[0]?.image,
    ).toBe('web:1');
    // Done once more, not more: at most one more apply, and the firing finished once.
    expect(world.writes('Deployment', 'web')).toBeLessThanOrEqual(2);
    await waitFor(async () => ofType(await world.outcomes(), 'impulse.trigger.fired').length === 1, {
      timeoutMs: 10_000,
      message: 'the firing to finish',
    });
    expect(ofType(await world.outcomes(), 'impulse.trigger.failed')).toEqual([]);
  }, 150_000);
});
