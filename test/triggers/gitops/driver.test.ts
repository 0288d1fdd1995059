import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import type { Trigger } from '../../../crds/index.ts';
import { createCloudEvent } from '../../../eventbus/index.ts';
import { createGitOpsDriver } from '../../../triggers/gitops/index.ts';
import { createFiring, executeTrigger, type Firing, type TriggerContext } from '../../../triggers/index.ts';
import { sensorFrom } from '../../support/sensor-fixture.ts';
import { uniqueName } from '../../support/unique.ts';
import { waitFor } from '../../support/wait.ts';
import { FakeEngine, sha } from './fake-engine.ts';

/** A sensor with one gitops trigger whose extra lines are `gitops` (indented by ten spaces). */
function gitopsTrigger(gitops: string, name = 'sync'): Trigger {
  const sensor = sensorFrom(`apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: deploy}
spec:
  dependencies:
    - {name: push, eventSourceName: github, eventName: repo}
  triggers:
    - template:
        name: ${name}
        gitops:
${gitops}
`);
  return sensor.spec.triggers[0]!;
}

const standard = (app: string, extra = '') => `          name: ${app}
          repoURL: file:///srv/git/app.git
          destination: {namespace: demo}
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: revision
${extra}`;

/** A driver of `trigger` on a fake engine; triggers given the same `engine` share one application. */
function setup(trigger: Trigger, engine = new FakeEngine()) {
  const driver = createGitOpsDriver(
    {
      sensor: { metadata: { name: 'deploy' } } as never,
      trigger,
      secrets: createSecretResolver({ env: {} }),
      logger: silentLogger(),
    },
    { engineFactory: async () => engine },
  );
  const emitted: Array<{ firing: string; type: string; data: Record<string, unknown> }> = [];
  const context = (firing: string): TriggerContext => ({
    signal: new AbortController().signal,
    logger: silentLogger(),
    secrets: createSecretResolver({ env: {} }),
    working: () => undefined,
    emit: async (type, data) => {
      emitted.push({ firing, type, data: data as Record<string, unknown> });
    },
  });
  const execute = (firing: Firing) => executeTrigger(trigger, driver, firing, context(firing.id));
  const fire = (after: string) => {
    const firing = createFiring('default', 'deploy', trigger.template.name, {
      push: createCloudEvent({
        id: uniqueName('delivery'),
        source: 'github',
        type: 'github',
        subject: 'repo',
        data: { body: { after } },
      }),
    });
    return { firing, run: () => execute(firing) };
  };
  return { engine, driver, emitted, fire, execute };
}

describe('gitops trigger driver', () => {
  it('syncs the pushed commit and reports started, progress per wave and succeeded', async () => {
    const app = uniqueName('app');
    const { engine, emitted, fire } = setup(gitopsTrigger(standard(app)));
    const commit = sha('c1');
    const { firing, run } = fire(commit);
    const outcome = await run();
    expect(outcome).toMatchObject({
      status: 'succeeded',
      detail: { app, revision: commit, synced: true, phase: 'Succeeded' },
    });
    expect(engine.syncs.map((a) => a.revision)).toEqual([commit]);
    expect(engine.syncs[0]).toMatchObject({
      name: app,
      repoURL: 'file:///srv/git/app.git',
      path: '.',
      destination: { namespace: 'demo' },
    });
    expect(emitted.map((e) => e.type)).toEqual([
      'impulse.sync.started',
      'impulse.sync.progress',
      'impulse.sync.progress',
      'impulse.sync.succeeded',
    ]);
    expect(emitted.every((e) => e.firing === firing.id)).toBe(true);
    expect(emitted[1]!.data).toMatchObject({
      app,
      syncPhase: 'PreSync',
      wave: 'PreSync.0',
      resources: [{ name: 'migrate' }],
    });
    expect(emitted[3]!.data).toMatchObject({
      app,
      revision: commit,
      phase: 'Succeeded',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      resources: [{ name: 'migrate' }, { name: 'web' }],
      covers: [firing.id],
    });
  });

  it('three pushes during one sync end in one more sync, of the newest commit', async () => {
    const app = uniqueName('app');
    const { engine, fire } = setup(gitopsTrigger(standard(app)));
    let open!: () => void;
    engine.gate = new Promise((resolve) => {
      open = resolve;
    });
    const first = fire(sha('p1')).run();
    await waitFor(() => engine.syncs.length === 1);
    const later = ['p2', 'p3', 'p4'].map((c) => fire(sha(c)));
    const outcomes = later.map((f) => f.run());
    expect(await outcomes[0]).toEqual({ status: 'superseded', by: later[1]!.firing.id });
    expect(await outcomes[1]).toEqual({ status: 'superseded', by: later[2]!.firing.id });
    open();
    await first;
    expect(await outcomes[2]).toMatchObject({ status: 'succeeded', detail: { revision: sha('p4') } });
    expect(engine.syncs.map((a) => a.revision)).toEqual([sha('p1'), sha('p4')]);
  });

  it('retries a failed sync per retry, then fails permanently with sync.failed carrying the reason', async () => {
    const app = uniqueName('app');
    const { engine, emitted, fire } = setup(
      gitopsTrigger(standard(app, '          retry: {limit: 1, backoff: {duration: 10ms}}')),
    );
    engine.script = [
      { phase: 'Failed', message: 'one or more objects failed to apply' },
      { phase: 'Failed', message: 'Deployment demo/web is Degraded' },
    ];
    await expect(fire(sha('bad')).run()).rejects.toMatchObject({
      code: 'PERMANENT',
      message: expect.stringContaining('Deployment demo/web is Degraded'),
    });
    expect(engine.syncs).toHaveLength(2);
    const failed = emitted.filter((e) => e.type === 'impulse.sync.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({
      app,
      phase: 'Failed',
      attempt: 2,
      error: { code: 'PERMANENT', message: expect.stringContaining('Degraded') },
    });
  });

  it('an engine that cannot run (git unreachable) fails transiently, after its retries', async () => {
    const app = uniqueName('app');
    const { engine, fire } = setup(gitopsTrigger(standard(app)));
    const { ImpulseError } = await import('../../../core/errors.ts');
    engine.script = [{ throws: new ImpulseError('TRANSIENT', 'git fetch: connection refused') }];
    await expect(fire(sha('x')).run()).rejects.toMatchObject({ code: 'TRANSIENT' });
  });

  it('a sync that ended on a transient cause (retryable) fails transiently once its retries are spent', async () => {
    const { engine, emitted, fire } = setup(gitopsTrigger(standard(uniqueName('app'))));
    engine.script = [{ phase: 'Error', message: 'the API server did not answer', retryable: true }];
    await expect(fire(sha('blip')).run()).rejects.toMatchObject({
      code: 'TRANSIENT',
      message: expect.stringContaining('the API server did not answer'),
    });
    expect(engine.syncs).toHaveLength(1);
    const failed = emitted.filter((e) => e.type === 'impulse.sync.failed');
    expect(failed.map((e) => e.data)).toMatchObject([{ phase: 'Error', error: { code: 'TRANSIENT' } }]);
  });

  it("a failing sync does not hand over to another trigger's queued refresh: it retries and fails", async () => {
    const app = uniqueName('app');
    const a = setup(gitopsTrigger(standard(app, '          retry: {limit: 1, backoff: {duration: 10ms}}')));
    const b = setup(gitopsTrigger(standard(app, '          operation: refresh'), 'check'), a.engine);
    let open!: () => void;
    a.engine.gate = new Promise((resolve) => {
      open = resolve;
    });
    a.engine.script = [{ phase: 'Failed' }, { phase: 'Failed', message: 'Deployment demo/web is Degraded' }];
    const failing = a.fire(sha('bad')).run();
    await waitFor(() => a.engine.syncs.length === 1);
    const refresh = b.fire(sha('bad')).run();
    open();
    await expect(failing).rejects.toMatchObject({
      code: 'PERMANENT',
      message: expect.stringContaining('Degraded'),
    });
    expect(a.engine.syncs).toHaveLength(2);
    expect(a.emitted.find((e) => e.type === 'impulse.sync.failed')!.data.supersededBy).toBeUndefined();
    expect(await refresh).toMatchObject({ status: 'succeeded', detail: { operation: 'refresh' } });
    expect(a.engine.refreshes).toHaveLength(1);
  });

  it('a failing sync hands over to a newer sync of its trigger queued behind it, which covers it', async () => {
    const app = uniqueName('app');
    const { engine, emitted, fire } = setup(
      gitopsTrigger(standard(app, '          retry: {limit: 3, backoff: {duration: 10ms}}')),
    );
    let open!: () => void;
    engine.gate = new Promise((resolve) => {
      open = resolve;
    });
    engine.script = [{ phase: 'Failed' }];
    const old = fire(sha('old'));
    const failing = old.run();
    await waitFor(() => engine.syncs.length === 1);
    const newer = fire(sha('new'));
    const next = newer.run();
    open();
    expect(await failing).toEqual({ status: 'superseded', by: newer.firing.id });
    expect(await next).toMatchObject({ status: 'succeeded', detail: { revision: sha('new') } });
    expect(engine.syncs.map((a) => a.revision)).toEqual([sha('old'), sha('new')]);
    const succeeded = emitted.find((e) => e.type === 'impulse.sync.succeeded')!;
    expect(succeeded.data.covers).toEqual([newer.firing.id, old.firing.id]);
  });

  it('refresh only compares and reports; syncWhen OutOfSync syncs only on drift a sync can remove', async () => {
    const app = uniqueName('app');
    const refresh = setup(gitopsTrigger(standard(app, '          operation: refresh')));
    refresh.engine.refreshAnswer = { syncStatus: 'OutOfSync', resources: [] };
    expect(await refresh.fire(sha('r1')).run()).toMatchObject({
      status: 'succeeded',
      detail: { operation: 'refresh', synced: false, syncStatus: 'OutOfSync' },
    });
    expect(refresh.engine.syncs).toHaveLength(0);

    const heal = setup(
      gitopsTrigger(
        standard(uniqueName('app'), '          operation: refresh\n          syncWhen: OutOfSync'),
      ),
    );
    const key = { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'demo' };
    heal.engine.refreshAnswer = {
      syncStatus: 'Synced',
      resources: [{ ...key, name: 'web', syncStatus: 'Synced' }],
    };
    await heal.fire(sha('h1')).run();
    expect(heal.engine.syncs).toHaveLength(0);
    // Only an object left in the cluster, and prune is off: syncing cannot change that.
    heal.engine.refreshAnswer = {
      syncStatus: 'OutOfSync',
      resources: [{ ...key, name: 'old', syncStatus: 'OutOfSync', reason: 'extraneous' }],
    };
    await heal.fire(sha('h2')).run();
    expect(heal.engine.syncs).toHaveLength(0);
    heal.engine.refreshAnswer = {
      syncStatus: 'OutOfSync',
      resources: [{ ...key, name: 'web', syncStatus: 'OutOfSync', reason: 'changed' }],
    };
    expect(await heal.fire(sha('h3')).run()).toMatchObject({ status: 'succeeded', detail: { synced: true } });
    expect(heal.engine.syncs).toHaveLength(1);
  });

  it('does not sync a commit again that a sync started after the event already synced', async () => {
    const app = uniqueName('app');
    const before = setup(gitopsTrigger(standard(app)));
    const pushed = before.fire(sha('once'));
    await pushed.run();
    // A restarted sensor (nothing in memory) gets the same push again: its ack was lost.
    const after = setup(gitopsTrigger(standard(app)));
    after.engine.last = before.engine.last;
    const again = await after.execute({ ...pushed.firing, id: `${pushed.firing.id}-restarted` });
    expect(again).toMatchObject({ status: 'succeeded', detail: { synced: false, revision: sha('once') } });
    expect(after.engine.syncs).toHaveLength(0);
  });

  it('rejects a value from the event that cannot work, naming the field', async () => {
    const { fire } = setup(
      gitopsTrigger(`          name: x
          repoURL: file:///srv/git/app.git
          destination: {namespace: demo}
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: name`),
    );
    await expect(fire('Not_A_Name').run()).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(
        'trigger sync.gitops.name: "Not_A_Name" is not a valid application name',
      ),
    });
  });

  it('closes its engines once, however often it is closed', async () => {
    const { engine, driver, fire } = setup(gitopsTrigger(standard(uniqueName('app'))));
    await fire(sha('c')).run();
    await Promise.all([driver.close!(), driver.close!()]);
    expect(engine.closed).toBe(1);
  });
});
