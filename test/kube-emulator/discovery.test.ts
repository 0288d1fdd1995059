import { ApisApi, CoreApi, type KubernetesObject, VersionApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { clients, rawRequest, startTestEmulator } from './fixture.ts';

describe('kube-emulator: discovery', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;

  beforeAll(async () => {
    emulator = await startTestEmulator({ controllers: false });
    api = clients(emulator);
  });
  afterAll(() => emulator.close());

  it('serves /api and /version', async () => {
    const versions = await api.kc.makeApiClient(CoreApi).getAPIVersions();
    expect(versions.versions).toEqual(['v1']);
    const version = await api.kc.makeApiClient(VersionApi).getCode();
    expect(version.major).toBe('1');
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
  });

  it('lists the built-in groups with their preferred versions', async () => {
    const groups = await api.kc.makeApiClient(ApisApi).getAPIVersions();
    const names = groups.groups.map((g) => g.name);
    for (const group of [
      'apps',
      'batch',
      'networking.k8s.io',
      'rbac.authorization.k8s.io',
      'autoscaling',
      'coordination.k8s.io',
      'apiextensions.k8s.io',
    ]) {
      expect(names).toContain(group);
    }
    expect(groups.groups.find((g) => g.name === 'apps')?.preferredVersion).toEqual({
      groupVersion: 'apps/v1',
      version: 'v1',
    });
    const apps = await rawRequest(emulator, 'GET', '/apis/apps');
    expect(apps.json).toMatchObject({ kind: 'APIGroup', name: 'apps' });
  });

  it('lists resources with scope, verbs, kind, short names and the status subresource', async () => {
    const core = await api.core.getAPIResources();
    const byName = new Map(core.resources.map((r) => [r.name, r]));
    expect(byName.get('namespaces')).toMatchObject({
      namespaced: false,
      kind: 'Namespace',
      shortNames: ['ns'],
    });
    expect(byName.get('configmaps')).toMatchObject({
      namespaced: true,
      kind: 'ConfigMap',
      shortNames: ['cm'],
    });
    expect(byName.get('configmaps')?.verbs).toEqual([
      'create',
      'delete',
      'deletecollection',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
    expect(byName.get('pods/status')?.verbs).toEqual(['get', 'patch', 'update']);
    expect(byName.has('configmaps/status')).toBe(false);
    for (const plural of [
      'secrets',
      'services',
      'serviceaccounts',
      'pods',
      'persistentvolumeclaims',
      'events',
    ])
      expect(byName.has(plural)).toBe(true);
    const apps = await api.apps.getAPIResources();
    expect(apps.resources.find((r) => r.name === 'deployments')).toMatchObject({
      kind: 'Deployment',
      shortNames: ['deploy'],
      categories: ['all'],
    });
    const rbac = await rawRequest(emulator, 'GET', '/apis/rbac.authorization.k8s.io/v1');
    expect(JSON.stringify(rbac.json)).toContain(
      '"name":"clusterroles","singularName":"clusterrole","namespaced":false',
    );
  });

  it('lets KubernetesObjectApi resolve any built-in kind', async () => {
    const kinds: [string, string, Record<string, unknown>][] = [
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', { rules: [] }],
      ['coordination.k8s.io/v1', 'Lease', { spec: { holderIdentity: 'me' } }],
      [
        'autoscaling/v2',
        'HorizontalPodAutoscaler',
        {
          spec: { maxReplicas: 2, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' } },
        },
      ],
      [
        'batch/v1',
        'CronJob',
        {
          spec: {
            schedule: '* * * * *',
            jobTemplate: {
              spec: {
                template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
              },
            },
          },
        },
      ],
      ['networking.k8s.io/v1', 'Ingress', { spec: { rules: [] } }],
      ['v1', 'ServiceAccount', {}],
    ];
    for (const [apiVersion, kind, rest] of kinds) {
      const created: KubernetesObject = await api.objects.create({
        apiVersion,
        kind,
        metadata: { name: `any-${kind.toLowerCase()}` },
        ...rest,
      });
      expect(created.kind).toBe(kind);
      const read: KubernetesObject = await api.objects.read({
        apiVersion,
        kind,
        metadata: { name: `any-${kind.toLowerCase()}`, namespace: created.metadata?.namespace },
      });
      expect(read.metadata?.uid).toBe(created.metadata?.uid);
    }
  });

  it('answers 404 for an unknown group version or resource', async () => {
    expect((await rawRequest(emulator, 'GET', '/apis/nope.example.com/v1')).status).toBe(404);
    const unknown = await rawRequest(emulator, 'GET', '/api/v1/namespaces/default/widgets');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('answers 405 MethodNotAllowed for a verb the path does not take', async () => {
    const res = await rawRequest(emulator, 'POST', '/api/v1/namespaces/default/configmaps/some-name', {
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(405);
    expect(res.json).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
  });
});
