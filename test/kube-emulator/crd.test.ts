import {
  ApiextensionsV1Api,
  type KubernetesObject,
  type V1CustomResourceDefinition,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { waitFor } from '../support/wait.ts';
import { apiError, asPatch, clients, rawRequest, startTestEmulator } from './fixture.ts';

const group = 'example.com';
const version = 'v1';
const plural = 'widgets';
const namespace = 'default';

/**
 * The CRD as product code sends it through client-node's typed models, whose property names differ
 * from the JSON ones (`_default`, `_enum`, `x_kubernetes_*`): raw JSON keys would be dropped by the
 * client's serializer before they reach the server.
 */
function widgetCrd(): V1CustomResourceDefinition {
  return {
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: {
                    size: { type: 'integer', minimum: 1 },
                    color: { type: 'string', _enum: ['red', 'blue'], _default: 'red' },
                    config: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
                    parts: {
                      type: 'array',
                      x_kubernetes_list_type: 'map',
                      x_kubernetes_list_map_keys: ['name'],
                      items: {
                        type: 'object',
                        required: ['name'],
                        properties: { name: { type: 'string' }, count: { type: 'integer' } },
                      },
                    },
                  },
                },
                status: { type: 'object', properties: { phase: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  };
}

const widget = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: `${group}/${version}`,
  kind: 'Widget',
  metadata: { name },
  spec,
});

describe('kube-emulator: CustomResourceDefinitions', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;
  let ext: ApiextensionsV1Api;

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
    api = clients(emulator);
    ext = api.kc.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body: widgetCrd() });
  });
  afterAll(() => emulator.close());

  const create = (name: string, spec: Record<string, unknown>, fieldValidation?: string) =>
    api.custom.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: widget(name, spec),
      ...(fieldValidation ? { fieldValidation } : {}),
    });

  it('serves a registered CRD in discovery and marks it Established', async () => {
    const crd = await ext.readCustomResourceDefinition({ name: `${plural}.${group}` });
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    expect(crd.status?.acceptedNames?.kind).toBe('Widget');
    const list = await rawRequest(emulator, 'GET', `/apis/${group}/${version}`);
    expect(list.json).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: `${group}/${version}`,
      resources: [
        { name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget', shortNames: ['wd'] },
        { name: 'widgets/status', kind: 'Widget' },
      ],
    });
    const groups = await rawRequest(emulator, 'GET', '/apis');
    expect(JSON.stringify(groups.json)).toContain(`"${group}/${version}"`);
    const created: KubernetesObject = await api.objects.create(widget('via-object-api', { size: 1 }));
    expect(created.metadata?.uid).toBeDefined();
  });

  it('prunes unknown fields, keeps preserved ones and fills defaults', async () => {
    const created = (await create('pruned', {
      size: 2,
      bogus: true,
      config: { anything: { nested: [1, 2] } },
    })) as { spec: Record<string, unknown> };
    expect(created.spec).toEqual({ size: 2, color: 'red', config: { anything: { nested: [1, 2] } } });
    const read = (await api.custom.getNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name: 'pruned',
    })) as { spec: Record<string, unknown> };
    expect(read.spec.bogus).toBeUndefined();
  });

  it('rejects unknown fields with fieldValidation=Strict (400 naming the field) and warns by default', async () => {
    const { code, status } = await apiError(create('strict', { size: 1, bogus: true }, 'Strict'));
    expect(code).toBe(400);
    expect(status.reason).toBe('BadRequest');
    expect(status.message).toContain('unknown field "spec.bogus"');
    const warned = await rawRequest(
      emulator,
      'POST',
      `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
      {
        body: JSON.stringify(widget('warned', { size: 1, bogus: true })),
        headers: { 'Content-Type': 'application/json' },
      },
    );
    expect(warned.status).toBe(201);
    expect(String(warned.headers.warning)).toContain('unknown field \\"spec.bogus\\"');
  });

  it('validates values against the schema (422 with the field)', async () => {
    const wrongType = await apiError(create('typed', { size: 'big' }));
    expect(wrongType.code).toBe(422);
    expect(wrongType.status.details?.causes?.[0]?.field).toBe('spec.size');
    const tooSmall = await apiError(create('small', { size: 0 }));
    expect(tooSmall.code).toBe(422);
    const badEnum = await apiError(create('enum', { size: 1, color: 'green' }));
    expect(badEnum.status.details?.causes?.[0]).toMatchObject({
      reason: 'FieldValueNotSupported',
      field: 'spec.color',
    });
    const missing = await apiError(create('missing', {}));
    expect(missing.status.details?.causes?.[0]).toMatchObject({
      reason: 'FieldValueRequired',
      field: 'spec.size',
    });
  });

  it('keeps status behind the status subresource and bumps generation on spec changes', async () => {
    const created = (await create('status', { size: 1 })) as {
      metadata: { generation: number; resourceVersion: string };
    };
    expect(created.metadata.generation).toBe(1);
    const withStatus = (await api.custom.patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural, name: 'status', body: { status: { phase: 'Ready' } } },
      asPatch.merge,
    )) as { status: { phase: string }; metadata: { generation: number } };
    expect(withStatus.status.phase).toBe('Ready');
    expect(withStatus.metadata.generation).toBe(1);
    const mainWrite = (await api.custom.patchNamespacedCustomObject(
      {
        group,
        version,
        namespace,
        plural,
        name: 'status',
        body: { spec: { size: 3 }, status: { phase: 'Ignored' } },
      },
      asPatch.merge,
    )) as { status: { phase: string }; metadata: { generation: number } };
    expect(mainWrite.status.phase).toBe('Ready');
    expect(mainWrite.metadata.generation).toBe(2);
  });

  it("applies keyed lists by the schema's x-kubernetes-list-map-keys", async () => {
    const applyParts = (manager: string, parts: { name: string; count: number }[]) =>
      api.custom.patchNamespacedCustomObject(
        {
          group,
          version,
          namespace,
          plural,
          name: 'parts',
          body: widget('parts', { size: 1, parts }),
          fieldManager: manager,
        },
        asPatch.apply,
      ) as Promise<{ spec: { parts: { name: string; count: number }[] } }>;
    await applyParts('alpha', [{ name: 'a', count: 1 }]);
    const both = await applyParts('beta', [{ name: 'b', count: 2 }]);
    expect(both.spec.parts).toEqual([
      { name: 'a', count: 1 },
      { name: 'b', count: 2 },
    ]);
    const conflict = await apiError(applyParts('beta', [{ name: 'a', count: 5 }]));
    expect(conflict.code).toBe(409);
    expect(conflict.status.details?.causes?.[0]?.field).toBe('.spec.parts[name="a"].count');
    const shrunk = await applyParts('alpha', []);
    expect(shrunk.spec.parts).toEqual([{ name: 'b', count: 2 }]);
  });

  it('refuses strategic merge patches for custom resources (415)', async () => {
    await create('smp', { size: 1 });
    const { code } = await apiError(
      api.custom.patchNamespacedCustomObject(
        { group, version, namespace, plural, name: 'smp', body: { spec: { size: 2 } } },
        asPatch.strategic,
      ),
    );
    expect(code).toBe(415);
  });

  it('watches custom resources', async () => {
    const events: string[] = [];
    const controller = await new Watch(api.kc).watch(
      `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
      { resourceVersion: '1', fieldSelector: 'metadata.name=watched' },
      (type, obj: { kind: string }) => events.push(`${type} ${obj.kind}`),
      () => {},
    );
    await create('watched', { size: 1 });
    await waitFor(() => events.length >= 1);
    expect(events).toEqual(['ADDED Widget']);
    controller.abort();
  });

  it('rejects an invalid CRD', async () => {
    const bad = widgetCrd();
    bad.metadata = { name: 'wrong.example.com' };
    const { code, status } = await apiError(ext.createCustomResourceDefinition({ body: bad }));
    expect(code).toBe(422);
    expect(status.details?.causes?.[0]?.field).toBe('metadata.name');
  });

  it('serves a cluster-scoped CRD and removes everything when the CRD is deleted', async () => {
    const crd = widgetCrd();
    crd.metadata = { name: `gadgets.${group}` };
    crd.spec.scope = 'Cluster';
    crd.spec.names = { plural: 'gadgets', kind: 'Gadget' };
    await ext.createCustomResourceDefinition({ body: crd });
    const body = {
      apiVersion: `${group}/${version}`,
      kind: 'Gadget',
      metadata: { name: 'g1' },
      spec: { size: 1 },
    };
    await api.custom.createClusterCustomObject({ group, version, plural: 'gadgets', body });
    const got = (await api.custom.getClusterCustomObject({
      group,
      version,
      plural: 'gadgets',
      name: 'g1',
    })) as { metadata: { namespace?: string } };
    expect(got.metadata.namespace).toBeUndefined();
    await ext.deleteCustomResourceDefinition({ name: `gadgets.${group}` });
    const after = await rawRequest(emulator, 'GET', `/apis/${group}/${version}/gadgets/g1`);
    expect(after.status).toBe(404);
    const discovery = await rawRequest(emulator, 'GET', `/apis/${group}/${version}`);
    expect(JSON.stringify(discovery.json)).not.toContain('gadgets');
    const recreated = await ext.createCustomResourceDefinition({ body: crd });
    expect(recreated.metadata?.name).toBe(`gadgets.${group}`);
    const list = (await api.custom.listClusterCustomObject({ group, version, plural: 'gadgets' })) as {
      items: unknown[];
    };
    expect(list.items).toEqual([]);
  });

  it('lists custom resources with apiVersion and kind on each item', async () => {
    const list = (await api.custom.listNamespacedCustomObject({ group, version, namespace, plural })) as {
      kind: string;
      items: { kind: string }[];
    };
    expect(list.kind).toBe('WidgetList');
    expect(list.items.every((i) => i.kind === 'Widget')).toBe(true);
  });

  it('honours the raw JSON schema keywords of a CRD sent as plain JSON (as kubectl does)', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `blobs.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'blobs', kind: 'Blob' },
        versions: [
          {
            name: version,
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: {
                  spec: { type: 'object', properties: { mode: { type: 'string', default: 'fast' } } },
                },
              },
            },
          },
        ],
      },
    };
    const created = await rawRequest(
      emulator,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        body: JSON.stringify(crd),
        headers: { 'Content-Type': 'application/json' },
      },
    );
    expect(created.status).toBe(201);
    const blob = (await api.custom.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: 'blobs',
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'Blob',
        metadata: { name: 'b' },
        spec: {},
        extra: { kept: true },
      },
    })) as { spec: { mode: string }; extra: unknown };
    expect(blob.spec.mode).toBe('fast');
    expect(blob.extra).toEqual({ kept: true });
  });
});
