import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { uniqueName } from '../../support/unique.ts';
import {
  APP,
  createApplication,
  type FakeController,
  fakeController,
  registerApplicationCrd,
} from './fake-controller.ts';
import { runArgoCd } from './harness.ts';

let emulator: KubeEmulator;
let controller: FakeController;
const namespace = 'argocd';

beforeAll(async () => {
  emulator = await startKubeEmulator({ controllers: false, namespaces: [namespace] });
  await registerApplicationCrd(emulator.kubeConfig());
  controller = fakeController(emulator.kubeConfig(), namespace);
});
afterAll(async () => {
  controller?.stop();
  await emulator?.close();
});

const kubeMode = (app: string, extra: Record<string, unknown> = {}) => ({
  app,
  mode: 'kubernetes',
  ...extra,
});
const factory = () => ({ kubeConfig: async () => emulator.kubeConfig() });

describe('argocd trigger, kubernetes mode', () => {
  it('merge-patches the Application operation, waits for the controller, and reports the result', async () => {
    const app = uniqueName('guestbook');
    await createApplication(emulator.kubeConfig(), namespace, app);
    emulator.clearAudit();
    const { outcome, seen } = await runArgoCd(
      kubeMode(app, { revision: 'v2', prune: true, syncOptions: ['CreateNamespace=true'], wait: true }),
      { factory: factory() },
    );
    expect(outcome).toMatchObject({
      status: 'succeeded',
      detail: { app, revision: 'v2', phase: 'Succeeded', syncStatus: 'Synced', healthStatus: 'Healthy' },
    });
    const patch = emulator.audit().find((e) => e.verb === 'patch' && e.name === app);
    expect(patch).toBeDefined();
    const operation = controller.operations.find((o) => (o.sync as { revision?: string }).revision === 'v2');
    expect(operation).toMatchObject({
      initiatedBy: { username: 'impulse' },
      sync: {
        revision: 'v2',
        prune: true,
        syncStrategy: { hook: {} },
        syncOptions: ['CreateNamespace=true'],
      },
    });
    expect((operation!.info as Array<{ value: string }>)[0]!.value).toMatch(
      /^impulse sensor default\/s trigger t firing /,
    );
    expect(seen.emitted.map((e) => e.type)).toEqual(['impulse.sync.started', 'impulse.sync.succeeded']);
  });

  it('waits while another operation runs, then starts its own', async () => {
    const app = uniqueName('busy');
    await createApplication(emulator.kubeConfig(), namespace, app, {
      operation: { initiatedBy: { username: 'someone' }, sync: { revision: 'first' } },
    });
    const { outcome, seen } = await runArgoCd(kubeMode(app, { revision: 'second', wait: true }), {
      factory: factory(),
    });
    expect(outcome).toMatchObject({ detail: { revision: 'second', phase: 'Succeeded' } });
    const mine = controller.operations.map((o) => (o.sync as { revision?: string }).revision);
    expect(mine.indexOf('first')).toBeGreaterThanOrEqual(0);
    expect(mine.indexOf('second')).toBeGreaterThan(mine.indexOf('first'));
    expect(seen.working).toBeGreaterThan(0);
  });

  it('fails permanently for an Application that does not exist, naming it', async () => {
    const err = await runArgoCd(kubeMode('absent', { namespace }), { factory: factory() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ImpulseError);
    expect((err as ImpulseError).code).toBe('PERMANENT');
    expect((err as Error).message).toMatch(/argocd Application argocd\/absent: not found/);
  });

  it('leaves the Application with no operation and a terminal state after a failed sync', async () => {
    const app = uniqueName('broken');
    await createApplication(emulator.kubeConfig(), namespace, app);
    controller.phase = 'Failed';
    try {
      const err = await runArgoCd(kubeMode(app, { wait: true }), { factory: factory() }).then(
        () => undefined,
        (e: unknown) => e as ImpulseError,
      );
      expect(err?.code).toBe('PERMANENT');
      expect(err?.message).toMatch(/the sync ended Failed: sync failed/);
    } finally {
      controller.phase = 'Succeeded';
    }
    const live = (await emulator
      .kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ ...APP, namespace, name: app })) as Record<string, unknown>;
    expect(live.operation).toBeUndefined();
  });
});
