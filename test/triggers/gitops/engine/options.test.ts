import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../../core/errors.ts';
import { EMULATOR_ANNOTATIONS } from '../../../support/kube-emulator/index.ts';
import { configMapYaml, deploymentYaml, engineFixture, jobYaml } from './fixture.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('gitops engine: namespace, lease and result', () => {
  it('fails with a clear message when the namespace is missing, and creates it first with CreateNamespace=true', async () => {
    await using f = await engineFixture({ createNamespace: false });
    f.repo.commit({ 'app/cm.yaml': configMapYaml('cm') });

    const refused = await f.sync();
    expect(refused.result).toMatchObject({
      phase: 'Failed',
      message: `namespace ${f.namespace} does not exist; set CreateNamespace=true`,
    });
    expect(f.emulator.audit()).toEqual([]);

    const { result } = await f.sync({ syncOptions: ['CreateNamespace=true'] });
    expect(result.phase).toBe('Succeeded');
    const order = f.emulator
      .audit()
      .filter((e) => !e.dryRun)
      .map((e) => `${e.kind}/${e.name}`);
    expect(order.slice(0, 2)).toEqual([`Namespace/${f.namespace}`, `Lease/impulse-app-${f.app().name}`]);
    expect(result.resources[0]).toMatchObject({
      kind: 'Namespace',
      name: f.namespace,
      syncPhase: 'PreSync',
      status: 'Synced',
    });
  });

  it('keeps the result in ConfigMap impulse-app-<name>, which lastResult() reads', async () => {
    await using f = await engineFixture();
    f.repo.commit({ 'app/cm.yaml': configMapYaml('cm') });
    expect(await f.engine.lastResult(f.app())).toBeUndefined();

    const { result } = await f.sync();

    expect(await f.engine.lastResult(f.app())).toEqual(result);
    const core = f.emulator.kubeConfig().makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({
      name: `impulse-app-${f.app().name}`,
      namespace: f.namespace,
    });
    expect(cm.data).toMatchObject({
      phase: 'Succeeded',
      revision: result.revision,
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
    });
    expect(cm.metadata?.labels?.['impulse.dev/app']).toBeUndefined();
    expect(result.startedAt < (result.finishedAt ?? '')).toBe(true);
  });

  it('waits for a Lease held by another sync until the signal aborts, and takes over an expired one', async () => {
    // Abort as soon as the engine says it is waiting for the other holder.
    const stop = new AbortController();
    const logger = pino(
      { level: 'info' },
      {
        write(line: string) {
          if (line.includes('waiting for the sync held by someone-else'))
            stop.abort(new Error('test gave up'));
        },
      },
    );
    await using f = await engineFixture({ engine: { logger } });
    f.repo.commit({ 'app/cm.yaml': configMapYaml('cm') });
    const leases = f.emulator.kubeConfig().makeApiClient(CoordinationV1Api);
    const lease = (seconds: number) => ({
      metadata: { name: `impulse-app-${f.app().name}`, namespace: f.namespace },
      spec: { holderIdentity: 'someone-else', leaseDurationSeconds: seconds, renewTime: new Date() },
    });
    await leases.createNamespacedLease({ namespace: f.namespace, body: lease(60) });

    const refused = await f.engine.sync(f.app(), { signal: stop.signal }).catch((err: unknown) => err);
    expect(isImpulseError(refused, 'TRANSIENT')).toBe(true);
    expect((refused as Error).message).toContain(`Lease ${f.namespace}/impulse-app-${f.app().name}`);
    expect(f.writes().filter((w) => w.kind === 'ConfigMap')).toEqual([]);

    await leases.replaceNamespacedLease({
      name: `impulse-app-${f.app().name}`,
      namespace: f.namespace,
      body: {
        ...(await leases.readNamespacedLease({
          name: `impulse-app-${f.app().name}`,
          namespace: f.namespace,
        })),
        spec: lease(1).spec,
      },
    });
    const { result } = await f.sync();
    expect(result.phase).toBe('Succeeded');
    const after = await leases.readNamespacedLease({
      name: `impulse-app-${f.app().name}`,
      namespace: f.namespace,
    });
    expect(after.spec?.holderIdentity).toBe('');
  });
  it('runs one sync of an application at a time', async () => {
    await using f = await engineFixture();
    f.repo.commit({ 'app/web.yaml': deploymentYaml('web', { [EMULATOR_ANNOTATIONS.delay]: '300' }) });
    const run = async () => {
      let holdingSince = 0;
      const result = await f.engine.sync(f.app(), {
        onProgress: (p) => {
          if (p.kind === 'refreshed') holdingSince = Date.now();
        },
      });
      return { result, holdingSince, finished: Date.parse(result.finishedAt ?? '') };
    };

    const [a, b] = await Promise.all([run(), run()]);

    expect([a.result.phase, b.result.phase]).toEqual(['Succeeded', 'Succeeded']);
    const [first, second] = a.holdingSince < b.holdingSince ? [a, b] : [b, a];
    expect(second.holdingSince).toBeGreaterThanOrEqual(first.finished);
  });
});

describe('gitops engine: sync options', () => {
  it.each([
    ['server-side apply', []],
    ['ServerSideApply=false (three-way merge with the last-applied annotation)', ['ServerSideApply=false']],
  ])('%s removes a field that Git no longer has', async (_label, syncOptions) => {
    await using f = await engineFixture();
    f.repo.commit({ 'app/cm.yaml': configMapYaml('cm', { a: '1', b: '2' }) });
    await f.sync({ syncOptions });
    const core = f.emulator.kubeConfig().makeApiClient(CoreV1Api);
    const first = await core.readNamespacedConfigMap({ name: 'cm', namespace: f.namespace });
    const lastApplied = first.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    if (syncOptions.length > 0)
      expect(JSON.parse(lastApplied ?? '{}')).toMatchObject({ data: { a: '1', b: '2' } });
    else expect(lastApplied).toBeUndefined();

    f.repo.commit({ 'app/cm.yaml': configMapYaml('cm', { a: '1' }) });
    const refresh = await f.engine.refresh(f.app({ syncOptions }));
    expect(refresh.resources[0]).toMatchObject({ syncStatus: 'OutOfSync', reason: 'changed' });
    const { result } = await f.sync({ syncOptions });

    expect(result.phase).toBe('Succeeded');
    expect((await core.readNamespacedConfigMap({ name: 'cm', namespace: f.namespace })).data).toEqual({
      a: '1',
    });
    expect(result.syncStatus).toBe('Synced');
  });

  it('leaves ignoreDifferences out of the diff, and with RespectIgnoreDifferences=true out of the apply', async () => {
    await using f = await engineFixture();
    f.repo.commit({ 'app/web.yaml': deploymentYaml('web') });
    await f.sync();
    const apps = f.emulator.kubeConfig().makeApiClient(AppsV1Api);
    // An autoscaler scales the Deployment.
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: f.namespace, fieldManager: 'autoscaler', body: { spec: { replicas: 4 } } },
      merge,
    );

    expect((await f.engine.refresh(f.app())).syncStatus).toBe('OutOfSync');
    for (const ignore of [
      { kind: 'Deployment', group: 'apps', jsonPointers: ['/spec/replicas'] },
      { kind: 'Deployment', group: 'apps', managedFieldsManagers: ['autoscaler'] },
    ]) {
      const refresh = await f.engine.refresh(f.app({ ignoreDifferences: [ignore] }));
      expect(refresh.syncStatus).toBe('Synced');
    }

    const respected = await f.sync({
      ignoreDifferences: [{ kind: 'Deployment', group: 'apps', jsonPointers: ['/spec/replicas'] }],
      syncOptions: ['RespectIgnoreDifferences=true'],
    });
    expect(respected.result.phase).toBe('Succeeded');
    expect(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: f.namespace })).spec?.replicas,
    ).toBe(4);

    await f.sync({
      ignoreDifferences: [{ kind: 'Deployment', group: 'apps', jsonPointers: ['/spec/replicas'] }],
    });
    expect(
      (await apps.readNamespacedDeployment({ name: 'web', namespace: f.namespace })).spec?.replicas,
    ).toBe(1);
  });

  it('rejects a sync option it does not implement', async () => {
    await using f = await engineFixture();
    f.repo.commit({ 'app/cm.yaml': configMapYaml('cm') });
    await expect(f.sync({ syncOptions: ['FailOnSharedResource=true'] })).rejects.toThrow(
      /"FailOnSharedResource=true" is not a sync option Impulse supports/,
    );
  });
});

describe('gitops engine: dry run', () => {
  it('with dryRun validates everything and changes nothing', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/cm.yaml': configMapYaml('cm'),
      'app/pre.yaml': jobYaml('pre', { 'argocd.argoproj.io/hook': 'PreSync' }),
    });

    const { result } = await f.sync({ dryRun: true });

    expect(result).toMatchObject({ phase: 'Succeeded', dryRun: true, syncStatus: 'OutOfSync' });
    expect(result.resources.map((r) => r.message)).toEqual(['applied (dry run)', 'applied (dry run)']);
    expect(f.emulator.audit().filter((e) => !e.dryRun)).toEqual([]);
    expect(f.emulator.audit().filter((e) => e.dryRun)).toHaveLength(2);
  });

  it('applies nothing when any object fails its dry run', async () => {
    await using f = await engineFixture();
    f.repo.commit({
      'app/cm.yaml': configMapYaml('cm'),
      'app/pre.yaml': jobYaml('pre', { 'argocd.argoproj.io/hook': 'PreSync' }),
      'app/thing.yaml': 'apiVersion: nowhere.example/v1\nkind: Thing\nmetadata:\n  name: t\n',
    });

    const { result } = await f.sync();

    expect(result).toMatchObject({
      phase: 'Failed',
      message: 'one or more objects failed to apply (dry run)',
    });
    expect(result.resources.find((r) => r.kind === 'Thing')).toMatchObject({
      status: 'SyncFailed',
      message: expect.stringContaining('the server does not serve Thing in nowhere.example/v1'),
    });
    expect(f.writes()).toEqual([]);
  });
});
