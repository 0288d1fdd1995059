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

describe('gitops trigger: refresh and self-heal', () => {
  it('syncs only when a refresh finds drift: an edited Deployment is restored within one sync', async () => {
    const { spine } = world;
    await spine.run(
      'eventsource',
      await spine.write('es.yaml', spine.webhookEventSource({ check: '/check' })),
    );
    await spine.run(
      'sensor',
      await spine.write(
        'heal.yaml',
        `apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: heal${randomUUID().slice(0, 6)}}
spec:
  dependencies:
    - {name: check, eventSourceName: hooks, eventName: check}
  triggers:
    - template:
        name: heal
        gitops:
          name: web
          repoURL: ${world.repo.url}
          revision: main
          destination: {namespace: demo}
          waveDelay: 100ms
          operation: refresh
          syncWhen: OutOfSync
`,
      ),
      { env: world.env },
    );
    await world.repo.commit({ 'web.yaml': deployment({ name: 'web', image: 'web:1', replicas: 2 }) });
    const apps = world.kube.kubeConfig().makeApiClient(AppsV1Api);
    const replicas = async () =>
      (await apps.readNamespacedDeployment({ name: 'web', namespace: 'demo' })).spec?.replicas;
    const fired = async () => ofType(await world.outcomes(), 'impulse.trigger.fired');
    const check = async (n: number) => {
      await spine.post('/check', { n });
      return waitFor(async () => (await fired())[n - 1], {
        timeoutMs: 30_000,
        intervalMs: 200,
        message: `check ${n} to finish`,
      });
    };

    // Nothing deployed yet: the refresh finds the Deployment missing and syncs.
    expect((await check(1)).data).toMatchObject({ app: 'web', synced: true, syncStatus: 'Synced' });
    expect(await replicas()).toBe(2);

    // Untouched: a refresh reports Synced and does not sync.
    expect((await check(2)).data).toMatchObject({ synced: false, drift: false, syncStatus: 'Synced' });

    // Someone scales the Deployment by hand: the next refresh finds drift and one sync restores it.
    const live = await apps.readNamespacedDeployment({ name: 'web', namespace: 'demo' });
    live.spec!.replicas = 5;
    await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'demo', body: live });
    expect(await replicas()).toBe(5);
    expect((await check(3)).data).toMatchObject({ synced: true, syncStatus: 'Synced' });
    expect(await replicas()).toBe(2);

    const outcomes = await world.outcomes();
    expect(ofType(outcomes, 'impulse.sync.started')).toHaveLength(2);
    expect(ofType(outcomes, 'impulse.sync.succeeded')).toHaveLength(2);
  }, 120_000);
});
