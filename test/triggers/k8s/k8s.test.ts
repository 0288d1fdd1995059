import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trigger } from '../../../crds/index.ts';
import { isPermanent } from '../../../triggers/index.ts';
import { LABELS } from '../../../triggers/k8s/index.ts';
import { asPatch, clients, uniqueName } from '../../kube-emulator/fixture.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { failure, fire, firingOf } from './fixture.ts';

let emulator: KubeEmulator;
let api: ReturnType<typeof clients>;
let namespace: string;

beforeAll(async () => {
  namespace = uniqueName('k8s');
  emulator = await startKubeEmulator({ controllers: false, namespaces: [namespace] });
  api = clients(emulator, namespace);
});
afterAll(() => emulator.close());

function k8sTrigger(k8s: Record<string, unknown>, extra: Partial<Trigger> = {}): Trigger {
  return { template: { name: 't', k8s }, ...extra } as unknown as Trigger;
}

const configMap = (name: string, data: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data,
});

const read = (name: string) => api.core.readNamespacedConfigMap({ name, namespace });

describe('k8s trigger: create', () => {
  it('creates the object in the sensor namespace with parameters, labelled with sensor, trigger and firing id', async () => {
    const name = uniqueName('cm');
    const firing = firingOf({ body: { greeting: 'hello' } }, 'make-cm', 'my-sensor', namespace);
    const { outcome } = await fire(
      emulator,
      k8sTrigger({
        source: { resource: configMap(name, { greeting: 'x' }) },
        parameters: [{ src: { dependencyName: 'dep', dataKey: 'body.greeting' }, dest: 'data.greeting' }],
      }),
      firing,
      { namespace },
    );
    expect(outcome).toMatchObject({
      status: 'succeeded',
      detail: { operation: 'create', result: 'created' },
    });
    const created = await read(name);
    expect(created.data).toEqual({ greeting: 'hello' });
    expect(created.metadata?.labels).toMatchObject({
      [LABELS.sensor]: 'my-sensor',
      [LABELS.trigger]: 'make-cm',
      [LABELS.firingId]: firing.id,
    });
    expect(created.metadata?.labels?.[LABELS.actionTimestamp]).toMatch(/^\d+$/);
  });

  it('keeps the namespace the manifest names, and the trigger-level parameters patch the template', async () => {
    const name = uniqueName('cm');
    await fire(
      emulator,
      k8sTrigger(
        { source: { resource: configMap('placeholder', { a: '1' }, { namespace }) } },
        {
          parameters: [
            {
              src: { dependencyName: 'dep', dataKey: 'body.name' },
              dest: 'k8s.source.resource.metadata.name',
            },
          ],
        },
      ),
      firingOf({ body: { name } }),
      { namespace: 'default' },
    );
    expect((await read(name)).data).toEqual({ a: '1' });
  });

  it('with generateName, a retried firing finds the object its first attempt made instead of making another', async () => {
    const firing = firingOf({ body: {} });
    const trigger = k8sTrigger({
      source: {
        resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' }, data: {} },
      },
    });
    const first = await fire(emulator, trigger, firing, { namespace });
    const second = await fire(emulator, trigger, firing, { namespace });
    expect(second.outcome).toMatchObject({
      detail: {
        existing: true,
        object: (first.outcome as unknown as { detail: { object: string } }).detail.object,
      },
    });
    const list = await api.core.listNamespacedConfigMap({
      namespace,
      labelSelector: `${LABELS.firingId}=${firing.id}`,
    });
    expect(list.items).toHaveLength(1);
  });

  it('an existing object of another firing is a permanent error that says what to use instead', async () => {
    const name = uniqueName('cm');
    const trigger = k8sTrigger({ source: { resource: configMap(name, {}) } });
    await fire(emulator, trigger, firingOf({}), { namespace });
    const err = await failure(fire(emulator, trigger, firingOf({}), { namespace }));
    expect(isPermanent(err)).toBe(true);
    expect(err.message).toContain('already exists');
    expect(err.message).toContain('use generateName for one per firing, or operation update or patch');
  });
});

describe('k8s trigger: update, patch, delete', () => {
  it('update creates a missing object, then lays the manifest over the live one', async () => {
    const name = uniqueName('cm');
    const trigger = (value: string) =>
      k8sTrigger({ operation: 'update', source: { resource: configMap(name, { value }) } });
    expect((await fire(emulator, trigger('one'), firingOf({}), { namespace })).outcome).toMatchObject({
      detail: { result: 'created' },
    });
    await api.core.patchNamespacedConfigMap(
      { name, namespace, body: { data: { other: 'kept' } } },
      asPatch.merge,
    );
    expect((await fire(emulator, trigger('two'), firingOf({}), { namespace })).outcome).toMatchObject({
      detail: { result: 'updated' },
    });
    expect((await read(name)).data).toEqual({ value: 'two', other: 'kept' });
  });

  it('liveObject applies the parameters to the object read from the cluster', async () => {
    const name = uniqueName('cm');
    await api.core.createNamespacedConfigMap({ namespace, body: configMap(name, { a: 'live', b: 'live' }) });
    await fire(
      emulator,
      k8sTrigger({
        operation: 'update',
        liveObject: true,
        source: { resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } } },
        parameters: [{ src: { dependencyName: 'dep', dataKey: 'body.b' }, dest: 'data.b' }],
      }),
      firingOf({ body: { b: 'event' } }),
      { namespace },
    );
    expect((await read(name)).data).toEqual({ a: 'live', b: 'event' });
  });

  it.each([
    ['application/merge-patch+json', 'merge-patch'],
    ['application/strategic-merge-patch+json', 'strategic-merge-patch'],
    ['application/json-patch+json', 'json-patch'],
    ['application/apply-patch+yaml', 'apply-patch'],
  ])(
    'patch with %s creates a missing object, then changes only the fields it sets',
    async (strategy, kind) => {
      const name = uniqueName(kind);
      const trigger = (data: Record<string, string>) =>
        k8sTrigger({
          operation: 'patch',
          patchStrategy: strategy,
          source: { resource: configMap(name, data) },
        });
      await fire(emulator, trigger({ first: '1' }), firingOf({}), { namespace });
      expect((await read(name)).data).toEqual({ first: '1' });
      emulator.clearAudit();
      const { outcome } = await fire(emulator, trigger({ second: '2' }), firingOf({}), { namespace });
      expect(outcome).toMatchObject({ detail: { result: 'patched' } });
      const patched = await read(name);
      // Apply removes what the same manager stops applying; the other patches keep it.
      expect(patched.data).toEqual(
        strategy.includes('apply') ? { second: '2' } : { first: '1', second: '2' },
      );
      // One write, of the kind the strategy names: no read-modify-write behind it.
      const writes = emulator.audit().filter((e) => e.name === name);
      expect(writes.map((e) => e.verb)).toEqual([strategy.includes('apply') ? 'apply' : 'patch']);
    },
  );

  it('reports a server-side apply conflict with the fields, the manager and what to do', async () => {
    const name = uniqueName('ssa');
    await api.core.patchNamespacedConfigMap(
      { name, namespace, body: configMap(name, { owned: 'theirs' }), fieldManager: 'platform-team' },
      asPatch.apply,
    );
    const trigger = (force: boolean) =>
      k8sTrigger({
        operation: 'patch',
        patchStrategy: 'application/apply-patch+yaml',
        ...(force ? { forceConflicts: true } : {}),
        source: { resource: configMap(name, { owned: 'ours' }) },
      });
    const err = await failure(fire(emulator, trigger(false), firingOf({}), { namespace }));
    expect(isPermanent(err)).toBe(true);
    expect(err.message).toBe(
      `server-side apply of v1 ConfigMap ${namespace}/${name} as field manager "impulse" conflicts: "platform-team" owns .data.owned, with different values. Either remove these fields from the manifest (or set them to the values they have), or set forceConflicts: true on the k8s trigger to take them over`,
    );
    expect(err.details).toMatchObject({ conflicts: [{ manager: 'platform-team', fields: ['.data.owned'] }] });
    await fire(emulator, trigger(true), firingOf({}), { namespace });
    expect((await read(name)).data).toEqual({ owned: 'ours' });
  });

  it('delete removes the object, and does nothing when it is already gone', async () => {
    const name = uniqueName('cm');
    await api.core.createNamespacedConfigMap({ namespace, body: configMap(name, {}) });
    const trigger = k8sTrigger({ operation: 'delete', source: { resource: configMap(name, {}) } });
    expect((await fire(emulator, trigger, firingOf({}), { namespace })).outcome).toMatchObject({
      detail: { result: 'deleted' },
    });
    expect((await fire(emulator, trigger, firingOf({}), { namespace })).outcome).toMatchObject({
      detail: { result: 'absent' },
    });
    const list = await api.core.listNamespacedConfigMap({ namespace });
    expect(list.items.map((c) => c.metadata?.name)).not.toContain(name);
  });
});

describe('k8s trigger: errors steer retries', () => {
  it('an invalid object and an unknown kind are permanent', async () => {
    const invalid = await failure(
      fire(
        emulator,
        k8sTrigger({
          source: { resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } } },
        }),
        firingOf({}),
        { namespace },
      ),
    );
    expect(isPermanent(invalid)).toBe(true);
    expect(invalid.message).toMatch(/^create v1 ConfigMap .*: 422 Invalid/);
    const unknown = await failure(
      fire(
        emulator,
        k8sTrigger({
          source: { resource: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'x' } } },
        }),
        firingOf({}),
        { namespace },
      ),
    );
    expect(isPermanent(unknown)).toBe(true);
    expect(unknown.message).toContain('install the CustomResourceDefinition');
  });

  it('an API server that cannot be reached is transient', async () => {
    const down = await startKubeEmulator({ controllers: false });
    const kc = down.kubeConfig();
    await down.close();
    const { makeK8sTrigger } = await import('../../../triggers/k8s/index.ts');
    const { createSecretResolver } = await import('../../../core/secrets.ts');
    const { silentLogger } = await import('../../../core/logger.ts');
    const { context, sensorIn } = await import('./fixture.ts');
    const trigger = k8sTrigger({ source: { resource: configMap('x', {}) } });
    const driver = makeK8sTrigger({ kubeConfig: async () => kc })({
      sensor: sensorIn('default'),
      trigger,
      secrets: createSecretResolver({ env: {} }),
      logger: silentLogger(),
    });
    const err = await failure(driver.execute(trigger.template.k8s, firingOf({}), context()));
    expect(err).toMatchObject({ code: 'TRANSIENT' });
    expect(err.message).toMatch(/ECONNREFUSED|connect/);
  });
});
