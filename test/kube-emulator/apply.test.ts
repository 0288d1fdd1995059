import { PatchStrategy, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { apiError, asPatch, clients, deployment, rawRequest, startTestEmulator } from './fixture.ts';

describe('kube-emulator: server-side apply', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;
  const namespace = 'default';

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
    api = clients(emulator);
  });
  afterAll(() => emulator.close());

  const cm = (name: string, data: Record<string, string>, labels?: Record<string, string>): V1ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(labels ? { labels } : {}) },
    data,
  });
  const apply = (body: V1ConfigMap, fieldManager: string, force?: boolean) =>
    api.core.patchNamespacedConfigMap(
      {
        namespace,
        name: body.metadata!.name!,
        body,
        fieldManager,
        ...(force === undefined ? {} : { force }),
      },
      asPatch.apply,
    );
  const owner = (object: V1ConfigMap, manager: string) =>
    object.metadata?.managedFields?.find((e) => e.manager === manager);

  it('creates the object (201) and records an Apply entry with exactly the applied fields', async () => {
    const res = await rawRequest(
      emulator,
      'PATCH',
      `/api/v1/namespaces/${namespace}/configmaps/created?fieldManager=tool`,
      {
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: created\n  labels:\n    app: demo\ndata:\n  key: value\n',
        headers: { 'Content-Type': PatchStrategy.ServerSideApply },
      },
    );
    expect(res.status).toBe(201);
    const read = await api.core.readNamespacedConfigMap({ namespace, name: 'created' });
    expect(owner(read, 'tool')).toMatchObject({
      operation: 'Apply',
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { 'f:key': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
    });
  });

  it('requires a fieldManager', async () => {
    const { code, status } = await apiError(
      api.core.patchNamespacedConfigMap(
        { namespace, name: 'nomanager', body: cm('nomanager', {}) },
        asPatch.apply,
      ),
    );
    expect(code).toBe(422);
    expect(status.message).toContain('fieldManager');
  });

  it('answers 409 when another manager owns a field with a different value, unless forced', async () => {
    await apply(cm('contested', { key: 'a' }), 'first');
    const { code, status } = await apiError(apply(cm('contested', { key: 'b' }), 'second'));
    expect(code).toBe(409);
    expect(status.reason).toBe('Conflict');
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "first": .data.key');
    expect(status.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "first"', field: '.data.key' },
    ]);
    const forced = await apply(cm('contested', { key: 'b' }), 'second', true);
    expect(forced.data).toEqual({ key: 'b' });
    expect(owner(forced, 'first')).toBeUndefined();
    expect(owner(forced, 'second')?.fieldsV1).toEqual({ 'f:data': { 'f:key': {} } });
  });

  it('shares a field applied with the same value, and keeps it while another manager still owns it', async () => {
    await apply(cm('shared', { key: 'same', mine: 'x' }), 'first');
    const both = await apply(cm('shared', { key: 'same' }), 'second');
    expect(owner(both, 'first')?.fieldsV1).toEqual({ 'f:data': { 'f:key': {}, 'f:mine': {} } });
    expect(owner(both, 'second')?.fieldsV1).toEqual({ 'f:data': { 'f:key': {} } });
    const dropped = await apply(cm('shared', {}), 'first');
    expect(dropped.data).toEqual({ key: 'same' });
  });

  it('removes fields the manager stops applying', async () => {
    await apply(cm('shrink', { keep: '1', drop: '2' }, { a: '1', b: '2' }), 'tool');
    const after = await apply(cm('shrink', { keep: '1' }, { a: '1' }), 'tool');
    expect(after.data).toEqual({ keep: '1' });
    expect(after.metadata?.labels).toEqual({ a: '1' });
  });

  it('moves fields changed by an update to that manager, so the next apply conflicts with it', async () => {
    await apply(cm('edited', { key: 'applied' }), 'tool');
    const edited = await api.core.patchNamespacedConfigMap(
      { namespace, name: 'edited', body: { data: { key: 'edited' } }, fieldManager: 'editor' },
      asPatch.merge,
    );
    expect(owner(edited, 'editor')).toMatchObject({
      operation: 'Update',
      fieldsV1: { 'f:data': { 'f:key': {} } },
    });
    expect(owner(edited, 'tool')).toBeUndefined();
    const { status } = await apiError(apply(cm('edited', { key: 'applied' }), 'tool'));
    expect(status.message).toContain('conflict with "editor"');
  });

  it('merges keyed lists item by item: each manager keeps its own container', async () => {
    const base = deployment('containers');
    await api.apps.patchNamespacedDeployment(
      { namespace, name: 'containers', body: base, fieldManager: 'app-team' },
      asPatch.apply,
    );
    const sidecar = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'containers' },
      spec: { template: { spec: { containers: [{ name: 'proxy', image: 'envoy:1' }] } } },
    };
    const both = await api.apps.patchNamespacedDeployment(
      { namespace, name: 'containers', body: sidecar, fieldManager: 'mesh' },
      asPatch.apply,
    );
    expect(both.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['app', 'proxy']);
    const fields = JSON.stringify(both.metadata?.managedFields?.find((e) => e.manager === 'mesh')?.fieldsV1);
    expect(fields).toContain('k:{\\"name\\":\\"proxy\\"}');
    const withoutSidecar = { ...sidecar, spec: { template: { spec: { containers: [] } } } };
    const after = await api.apps.patchNamespacedDeployment(
      { namespace, name: 'containers', body: withoutSidecar, fieldManager: 'mesh' },
      asPatch.apply,
    );
    expect(after.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['app']);
  });

  it('applies through KubernetesObjectApi.patch and honours dryRun', async () => {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'objapi', namespace },
      data: { a: '1' },
    };
    const dry = await api.objects.patch(
      body,
      undefined,
      'All',
      'objects',
      undefined,
      PatchStrategy.ServerSideApply,
    );
    expect((dry as V1ConfigMap).data).toEqual({ a: '1' });
    expect((await apiError(api.core.readNamespacedConfigMap({ namespace, name: 'objapi' }))).code).toBe(404);
    await api.objects.patch(body, undefined, undefined, 'objects', true, PatchStrategy.ServerSideApply);
    const read = await api.core.readNamespacedConfigMap({ namespace, name: 'objapi' });
    expect(owner(read, 'objects')?.operation).toBe('Apply');
  });
});
