import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trigger } from '../../../crds/index.ts';
import { isPermanent } from '../../../triggers/index.ts';
import { asPatch, clients, uniqueName } from '../../kube-emulator/fixture.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { waitFor } from '../../support/wait.ts';
import { failure, fire, firingOf } from './fixture.ts';

let emulator: KubeEmulator;
let api: ReturnType<typeof clients>;
let namespace: string;

beforeAll(async () => {
  namespace = uniqueName('policy');
  emulator = await startKubeEmulator({ controllers: false, namespaces: [namespace] });
  api = clients(emulator, namespace);
});
afterAll(() => emulator.close());

const cmTrigger = (name: string, policy: Record<string, unknown>): Trigger =>
  ({
    template: {
      name: 't',
      k8s: { source: { resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: {} } } },
    },
    policy: { k8s: policy },
  }) as unknown as Trigger;

describe('k8s trigger: policy.k8s', () => {
  it('waits until the labels appear on the created object, telling the sensor it is still working', async () => {
    const name = uniqueName('cm');
    const firing = fire(
      emulator,
      cmTrigger(name, { labels: { done: 'yes' }, backoff: { steps: 100, duration: '50ms', factor: 1 } }),
      firingOf({}),
      { namespace },
    );
    await waitFor(async () =>
      (await api.core.listNamespacedConfigMap({ namespace })).items.some((c) => c.metadata?.name === name),
    );
    await api.core.patchNamespacedConfigMap(
      { name, namespace, body: { metadata: { labels: { done: 'yes' } } } },
      asPatch.merge,
    );
    const { outcome, ctx } = await firing;
    expect(outcome).toMatchObject({ status: 'succeeded', detail: { policy: 'labels-found' } });
    expect(ctx.workingCalls).toBeGreaterThan(0);
  });

  it('fails permanently when the labels never appear and errorOnBackoffTimeout is set', async () => {
    const err = await failure(
      fire(
        emulator,
        cmTrigger(uniqueName('cm'), {
          labels: { done: 'yes' },
          backoff: { steps: 3, duration: '20ms' },
          errorOnBackoffTimeout: true,
        }),
        firingOf({}),
        { namespace },
      ),
    );
    expect(isPermanent(err)).toBe(true);
    expect(err.message).toMatch(
      /did not get the labels done=yes after 3 looks \(missing or different: done\); errorOnBackoffTimeout/,
    );
  });

  it('succeeds with a warning when the labels never appear and errorOnBackoffTimeout is not set', async () => {
    const { outcome } = await fire(
      emulator,
      cmTrigger(uniqueName('cm'), { labels: { done: 'yes' }, backoff: { steps: 2, duration: '20ms' } }),
      firingOf({}),
      { namespace },
    );
    expect(outcome).toMatchObject({ status: 'succeeded', detail: { policy: 'timed-out' } });
  });
});

describe('k8s trigger: configmap source', () => {
  it('reads the manifest from a ConfigMap key in the sensor namespace', async () => {
    const name = uniqueName('from-cm');
    await api.core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: 'manifests' },
        data: {
          'job.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  from: configmap\n`,
        },
      },
    });
    const trigger = {
      template: { name: 't', k8s: { source: { configmap: { name: 'manifests', key: 'job.yaml' } } } },
    } as unknown as Trigger;
    await fire(emulator, trigger, firingOf({}), { namespace });
    expect((await api.core.readNamespacedConfigMap({ name, namespace })).data).toEqual({ from: 'configmap' });

    const missing = {
      template: { name: 't', k8s: { source: { configmap: { name: 'manifests', key: 'nope.yaml' } } } },
    } as unknown as Trigger;
    const err = await failure(fire(emulator, missing, firingOf({}), { namespace }));
    expect(isPermanent(err)).toBe(true);
    expect(err.message).toContain('ConfigMap manifests has no key nope.yaml');
  });
});
