import type { V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { apiError, clients, deployment, startTestEmulator, uniqueName } from './fixture.ts';

describe('kube-emulator: create, get, list, update', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;
  let namespace: string;

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
    api = clients(emulator);
    namespace = uniqueName('crud');
    await api.core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(() => emulator.close());

  const configMap = (name: string, labels: Record<string, string> = {}): V1ConfigMap => ({
    metadata: { name, labels },
    data: { key: 'value' },
  });

  it('has a default namespace and refuses objects in a namespace that does not exist', async () => {
    const ns = await api.core.readNamespace({ name: 'default' });
    expect(ns.status?.phase).toBe('Active');
    const { code, status } = await apiError(
      api.core.createNamespacedConfigMap({ namespace: 'missing', body: configMap('a') }),
    );
    expect(code).toBe(404);
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'namespaces "missing" not found',
    });
  });

  it('fills in server-side metadata on create, with a global numeric resourceVersion', async () => {
    const a = await api.core.createNamespacedConfigMap({ namespace, body: configMap('meta-a') });
    const b = await api.core.createNamespacedConfigMap({ namespace, body: configMap('meta-b') });
    expect(a.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata?.namespace).toBe(namespace);
    expect(a.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(b.metadata?.resourceVersion)).toBeGreaterThan(Number(a.metadata?.resourceVersion));
    expect(a.kind).toBe('ConfigMap');
    expect(a.apiVersion).toBe('v1');
  });

  it('refuses a create that carries a resourceVersion, as etcd storage does', async () => {
    const { code, status } = await apiError(
      api.core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: 'with-rv', resourceVersion: '5' } },
      }),
    );
    expect(code).toBe(500);
    expect(status.message).toContain('resourceVersion should not be set on objects to be created');
  });

  it('generates names from generateName', async () => {
    const created = await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(created.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    const { code, status } = await apiError(
      api.core.createNamespacedConfigMap({ namespace, body: { metadata: {} } }),
    );
    expect(code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect(status.details?.causes?.[0]?.field).toBe('metadata.name');
  });

  it('answers AlreadyExists for a second create and NotFound for a missing object', async () => {
    await api.core.createNamespacedConfigMap({ namespace, body: configMap('dup') });
    const exists = await apiError(api.core.createNamespacedConfigMap({ namespace, body: configMap('dup') }));
    expect(exists.code).toBe(409);
    expect(exists.status).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "dup" already exists',
      details: { name: 'dup', kind: 'configmaps' },
    });
    const missing = await apiError(api.apps.readNamespacedDeployment({ namespace, name: 'nope' }));
    expect(missing.code).toBe(404);
    expect(missing.status).toMatchObject({
      reason: 'NotFound',
      message: 'deployments.apps "nope" not found',
      details: { group: 'apps', kind: 'deployments' },
    });
  });

  it('rejects an update with a stale resourceVersion (409 Conflict) and accepts an unconditional one', async () => {
    const created = await api.core.createNamespacedConfigMap({ namespace, body: configMap('cas') });
    const first = await api.core.replaceNamespacedConfigMap({
      namespace,
      name: 'cas',
      body: { ...created, data: { key: 'one' } },
    });
    expect(first.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
    const stale = await apiError(
      api.core.replaceNamespacedConfigMap({
        namespace,
        name: 'cas',
        body: { ...created, data: { key: 'two' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
    expect(stale.status.message).toContain('the object has been modified');
    const unconditional = {
      ...created,
      metadata: { ...created.metadata, resourceVersion: undefined },
      data: { key: 'three' },
    };
    const second = await api.core.replaceNamespacedConfigMap({ namespace, name: 'cas', body: unconditional });
    expect(second.data).toEqual({ key: 'three' });
    expect(second.metadata?.uid).toBe(created.metadata?.uid);
  });

  it('keeps the resourceVersion when an update changes nothing', async () => {
    const created = await api.core.createNamespacedConfigMap({ namespace, body: configMap('noop') });
    const same = await api.core.replaceNamespacedConfigMap({ namespace, name: 'noop', body: created });
    expect(same.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('checks the body against the URL', async () => {
    const { code, status } = await apiError(
      api.core.replaceNamespacedConfigMap({ namespace, name: 'other', body: configMap('this') }),
    );
    expect(code).toBe(400);
    expect(status.reason).toBe('BadRequest');
    expect(status.message).toContain('does not match the name on the URL');
  });

  it('sets generation to 1 and bumps it on spec changes only', async () => {
    const created = await api.apps.createNamespacedDeployment({ namespace, body: deployment('gen') });
    expect(created.metadata?.generation).toBe(1);
    const labelled = await api.apps.replaceNamespacedDeployment({
      namespace,
      name: 'gen',
      body: { ...created, metadata: { ...created.metadata, labels: { touched: 'yes' } } },
    });
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await api.apps.replaceNamespacedDeployment({
      namespace,
      name: 'gen',
      body: { ...labelled, spec: { ...labelled.spec!, replicas: 5 } },
    });
    expect(scaled.metadata?.generation).toBe(2);
  });

  it('validates workloads like the API server (422 with causes)', async () => {
    const bad = deployment('bad');
    bad.spec.selector.matchLabels.app = 'other';
    const { code, status } = await apiError(api.apps.createNamespacedDeployment({ namespace, body: bad }));
    expect(code).toBe(422);
    expect(status).toMatchObject({
      reason: 'Invalid',
      details: { name: 'bad', group: 'apps', kind: 'Deployment' },
    });
    expect(status.details?.causes?.map((c) => c.field)).toContain('spec.template.metadata.labels');
  });

  it('lists with label selectors, equality- and set-based', async () => {
    const ns = uniqueName('labels');
    await api.core.createNamespace({ body: { metadata: { name: ns } } });
    await api.core.createNamespacedConfigMap({
      namespace: ns,
      body: configMap('one', { tier: 'web', env: 'prod' }),
    });
    await api.core.createNamespacedConfigMap({
      namespace: ns,
      body: configMap('two', { tier: 'db', env: 'prod' }),
    });
    await api.core.createNamespacedConfigMap({ namespace: ns, body: configMap('three', { tier: 'cache' }) });
    const names = async (labelSelector: string) =>
      (await api.core.listNamespacedConfigMap({ namespace: ns, labelSelector })).items
        .map((i) => i.metadata?.name)
        .sort();
    expect(await names('env=prod')).toEqual(['one', 'two']);
    expect(await names('env!=prod')).toEqual(['three']);
    expect(await names('tier in (web, cache)')).toEqual(['one', 'three']);
    expect(await names('tier notin (web)')).toEqual(['three', 'two']);
    expect(await names('!env')).toEqual(['three']);
    expect(await names('env,tier=db')).toEqual(['two']);
    const { code } = await apiError(
      api.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'tier in ()' }),
    );
    expect(code).toBe(400);
  });

  it('lists with field selectors and across namespaces, with the list resourceVersion', async () => {
    const ns = uniqueName('fields');
    await api.core.createNamespace({ body: { metadata: { name: ns } } });
    const last = await api.core.createNamespacedConfigMap({ namespace: ns, body: configMap('pick') });
    await api.core.createNamespacedConfigMap({ namespace: ns, body: configMap('skip') });
    const byName = await api.core.listNamespacedConfigMap({
      namespace: ns,
      fieldSelector: 'metadata.name=pick',
    });
    expect(byName.items.map((i) => i.metadata?.name)).toEqual(['pick']);
    const everywhere = await api.core.listConfigMapForAllNamespaces({
      fieldSelector: `metadata.namespace=${ns},metadata.name!=pick`,
    });
    expect(everywhere.items.map((i) => i.metadata?.name)).toEqual(['skip']);
    expect(Number(everywhere.metadata?.resourceVersion)).toBeGreaterThan(
      Number(last.metadata?.resourceVersion),
    );
    const bad = await apiError(
      api.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'data.key=value' }),
    );
    expect(bad.code).toBe(400);
  });

  it('pages lists with limit and continue', async () => {
    const ns = uniqueName('pages');
    await api.core.createNamespace({ body: { metadata: { name: ns } } });
    for (const n of ['a', 'b', 'c'])
      await api.core.createNamespacedConfigMap({ namespace: ns, body: configMap(n) });
    const first = await api.core.listNamespacedConfigMap({ namespace: ns, limit: 2 });
    expect(first.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const rest = await api.core.listNamespacedConfigMap({
      namespace: ns,
      limit: 2,
      _continue: first.metadata!._continue!,
    });
    expect(rest.items.map((i) => i.metadata?.name)).toEqual(['c']);
    expect(rest.metadata?._continue).toBeUndefined();
  });

  it('serves built-in list items without apiVersion and kind, as a real API server does', async () => {
    const raw = await api.objects.list('v1', 'ConfigMap', namespace);
    expect(raw.items.length).toBeGreaterThan(0);
    expect(raw.items[0]?.kind).toBeUndefined();
  });

  it('honours dryRun=All on create, update, patch and delete without storing anything', async () => {
    const dry = await api.core.createNamespacedConfigMap({
      namespace,
      body: configMap('dry'),
      dryRun: 'All',
    });
    expect(dry.metadata?.name).toBe('dry');
    expect((await apiError(api.core.readNamespacedConfigMap({ namespace, name: 'dry' }))).code).toBe(404);
    const real = await api.core.createNamespacedConfigMap({ namespace, body: configMap('wet') });
    const updated = await api.core.replaceNamespacedConfigMap({
      namespace,
      name: 'wet',
      body: { ...real, data: { key: 'dry' } },
      dryRun: 'All',
    });
    expect(updated.data).toEqual({ key: 'dry' });
    await api.core.deleteNamespacedConfigMap({ namespace, name: 'wet', dryRun: 'All' });
    const still = await api.core.readNamespacedConfigMap({ namespace, name: 'wet' });
    expect(still.data).toEqual({ key: 'value' });
    expect(still.metadata?.resourceVersion).toBe(real.metadata?.resourceVersion);
    const invalid = await apiError(
      api.core.createNamespacedConfigMap({ namespace, body: configMap('x'), dryRun: 'Some' }),
    );
    expect(invalid.code).toBe(400);
    const dryAudit = emulator.audit().filter((e) => e.dryRun);
    expect(dryAudit.map((e) => e.verb)).toEqual(['create', 'update', 'delete']);
  });

  it('converts Secret stringData into base64 data and allocates Service cluster IPs', async () => {
    const secret = await api.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 's' }, stringData: { password: 'hunter2' } },
    });
    expect(secret.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    expect(secret.type).toBe('Opaque');
    const svc = await api.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
  });
});
