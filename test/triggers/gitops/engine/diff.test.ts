import { describe, expect, it } from 'vitest';
import { threeWayMergePatch } from '../../../../triggers/gitops/engine/apply.ts';
import { diffResource, ignoredPaths, respectIgnored } from '../../../../triggers/gitops/engine/diff.ts';
import type { KubeObject } from '../../../../triggers/gitops/engine/kube-object.ts';

const deployment = (spec: object, metadata: object = {}): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', ...metadata },
    spec,
  }) as unknown as KubeObject;

describe('gitops engine: diff normalization', () => {
  it('ignores server metadata, status and fields the server defaulted', () => {
    const target = deployment({
      replicas: 2,
      template: { spec: { containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
    });
    const live = deployment(
      {
        replicas: 2,
        strategy: { type: 'RollingUpdate' },
        template: {
          spec: {
            containers: [
              {
                name: 'a',
                image: 'nginx',
                imagePullPolicy: 'IfNotPresent',
                ports: [{ containerPort: 80, protocol: 'TCP' }],
              },
            ],
          },
        },
      },
      {
        uid: 'u',
        resourceVersion: '9',
        generation: 3,
        creationTimestamp: '2024-01-01T00:00:00Z',
        managedFields: [],
      },
    );
    live.status = { replicas: 2 };
    expect(diffResource(target, live)).toEqual([]);
  });

  it('names the fields that differ, and a list of another length as a whole', () => {
    const target = deployment({
      replicas: 2,
      template: { spec: { containers: [{ name: 'a', image: 'nginx:2' }] } },
    });
    const live = deployment({
      replicas: 3,
      template: {
        spec: {
          containers: [
            { name: 'a', image: 'nginx:1' },
            { name: 'b', image: 'x' },
          ],
        },
      },
    });
    expect(diffResource(target, live)).toEqual(['.spec.replicas', '.spec.template.spec.containers']);
    const live2 = deployment({
      replicas: 2,
      template: { spec: { containers: [{ name: 'a', image: 'nginx:1' }] } },
    });
    expect(diffResource(target, live2)).toEqual(['.spec.template.spec.containers[0].image']);
  });

  it('compares Secret stringData as data', () => {
    const target = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { token: 'abc' },
    } as KubeObject;
    const live = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { token: Buffer.from('abc').toString('base64') },
      type: 'Opaque',
    } as KubeObject;
    expect(diffResource(target, live)).toEqual([]);
    const changed = { ...live, data: { token: Buffer.from('xyz').toString('base64') } } as KubeObject;
    expect(diffResource(target, changed)).toEqual(['.data.token']);
  });

  it('counts a field Impulse applied before that Git no longer sets (managed fields or last-applied)', () => {
    const target = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: '1' },
    } as KubeObject;
    const bySsa = {
      ...target,
      data: { a: '1', b: '2', c: '3' },
      metadata: {
        name: 'c',
        managedFields: [
          { manager: 'impulse', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } },
          { manager: 'someone', operation: 'Update', fieldsV1: { 'f:data': { 'f:c': {} } } },
        ],
      },
    } as unknown as KubeObject;
    expect(diffResource(target, bySsa)).toEqual(['.data.b (no longer in Git)']);
    const byAnnotation = {
      ...target,
      data: { a: '1', b: '2' },
      metadata: {
        name: 'c',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            ...target,
            data: { a: '1', b: '2' },
          }),
        },
      },
    } as unknown as KubeObject;
    expect(diffResource(target, byAnnotation)).toEqual(['.data.b (no longer in Git)']);
  });

  it('leaves ignored fields out: JSON pointers and fields owned by named managers', () => {
    const target = deployment({
      replicas: 1,
      template: { spec: { containers: [{ name: 'a', image: 'x' }] } },
    });
    const live = deployment(
      { replicas: 5, template: { spec: { containers: [{ name: 'a', image: 'y' }] } } },
      {
        managedFields: [
          { manager: 'hpa', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
        ],
      },
    );
    expect(
      diffResource(
        target,
        live,
        ignoredPaths([{ kind: 'Deployment', jsonPointers: ['/spec/replicas'] }], live),
      ),
    ).toEqual(['.spec.template.spec.containers[0].image']);
    expect(
      diffResource(
        target,
        live,
        ignoredPaths([{ kind: 'Deployment', managedFieldsManagers: ['hpa'] }], live),
      ),
    ).toEqual(['.spec.template.spec.containers[0].image']);
    expect(
      diffResource(
        target,
        live,
        ignoredPaths(
          [
            {
              kind: 'Deployment',
              jsonPointers: ['/spec/template/spec/containers/0/image', '/spec/replicas'],
            },
          ],
          live,
        ),
      ),
    ).toEqual([]);
    const applied = respectIgnored(
      target,
      live,
      ignoredPaths([{ kind: 'Deployment', jsonPointers: ['/spec/replicas'] }], live),
    );
    expect((applied.spec as { replicas: number }).replicas).toBe(5);
  });

  it('builds a three-way merge patch as kubectl does', () => {
    const original = { data: { a: '1', gone: 'x' } };
    const modified = { data: { a: '2', added: 'y' } };
    const current = { data: { a: '1', gone: 'x', theirs: 'z' }, metadata: { uid: 'u' } };
    expect(threeWayMergePatch(original, modified, current)).toEqual({
      data: { a: '2', added: 'y', gone: null },
    });
    expect(threeWayMergePatch(modified, modified, { data: { a: '2', added: 'y' } })).toEqual({});
  });
});
