import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { waitFor } from '../support/wait.ts';
import { deployment, GitOpsWorld, ofType } from '../triggers/gitops/e2e-world.ts';

let world: GitOpsWorld;
let sink: HttpSink;
beforeEach(async () => {
  world = await GitOpsWorld.start();
  sink = await startHttpSink();
});
afterEach(async () => {
  await world[Symbol.asyncDispose]();
  await sink.close();
});

describe('gitops trigger: a failing sync', () => {
  it('retries per retry, emits sync.failed with the reason, dead-letters the firing, and a sensor on the outcome fires', async () => {
    const { spine } = world;
    const deploy = `deploy${randomUUID().slice(0, 6)}`;
    await spine.run('eventsource', await spine.write('es.yaml', spine.webhookEventSource({ push: '/push' })));
    await spine.run(
      'sensor',
      await spine.write(
        'deploy.yaml',
        `apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: ${deploy}}
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
          retry: {limit: 1, backoff: {duration: 200ms}}
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: revision
`,
      ),
      { env: world.env },
    );
    // The sensor that reacts to the outcome (notify, roll back, ...): here it POSTs the reason.
    await spine.run(
      'sensor',
      await spine.write(
        'on-failure.yaml',
        `apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: on-failure}
spec:
  dependencies:
    - name: failed
      outcomeOf: {sensor: ${deploy}, trigger: sync}
      filters:
        context: {type: impulse.sync.failed}
  triggers:
    - template:
        name: notify
        http:
          url: ${sink.url}/failed
          payload:
            - src: {dependencyName: failed, dataKey: app}
              dest: app
            - src: {dependencyName: failed, dataKey: revision}
              dest: revision
            - src: {dependencyName: failed, dataKey: error.message}
              dest: reason
`,
      ),
    );

    // Given a commit whose Deployment never becomes healthy,
    const commit = await world.repo.commit({
      'web.yaml': deployment({
        name: 'web',
        image: 'web:broken',
        annotations: { 'emulator.impulse.dev/degrade': 'true' },
      }),
    });
    // when it is pushed,
    await spine.post('/push', { after: commit });

    // then the sensor on the outcome is told why.
    const notified = await waitFor(() => sink.received.find((r) => r.path === '/failed'), {
      timeoutMs: 60_000,
      intervalMs: 200,
      message: 'the failure notification',
    });
    const body = notified.json as { app: string; revision: string; reason: string };
    expect(body.app).toBe('web');
    expect(body.revision).toBe(commit);
    expect(body.reason).toMatch(/^sync of application web at [0-9a-f]{40} ended Failed: .*web/);

    const outcomes = await waitFor(
      async () => {
        const all = await world.outcomes();
        return ofType(all, 'impulse.trigger.deadlettered').length === 1 ? all : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, message: 'the firing to be dead-lettered' },
    );
    const failed = ofType(outcomes, 'impulse.sync.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({
      app: 'web',
      revision: commit,
      phase: 'Failed',
      healthStatus: 'Degraded',
      attempt: 2,
      error: { code: 'PERMANENT' },
    });
    expect(failed[0]!.data.resources).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web' })]);
    // The retry ran the sync twice; the failure went through the delivery rules once (no redelivery).
    expect(ofType(outcomes, 'impulse.trigger.failed')).toHaveLength(1);
    expect(ofType(outcomes, 'impulse.trigger.deadlettered')[0]!.data).toMatchObject({
      error: { code: 'PERMANENT' },
    });
    expect(world.writes('Deployment', 'web')).toBe(2);
  }, 120_000);
});
