import { describe, expect, it } from 'vitest';
import { buildWorkload, busSettings, natsResources, secretReferences } from '../../controller/index.ts';
import type { EventBus } from '../../crds/index.ts';
import { builtinModel, unknownFields } from '../deploy/schemas.ts';

/**
 * What the controller creates must be valid Kubernetes objects with no unknown field: client-node's
 * typed serializer would silently drop a misspelled field on its way to the API server.
 */
async function problems(object: Record<string, unknown>): Promise<string[]> {
  const Model = await builtinModel(String(object.apiVersion), String(object.kind));
  if (!Model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
  } catch (err) {
    return [(err as Error).message];
  }
  return unknownFields(object);
}

const bus = (spec: EventBus['spec']): EventBus => ({
  apiVersion: 'impulse.dev/v1alpha1',
  kind: 'EventBus',
  metadata: { name: 'default', namespace: 'team' },
  spec,
});

describe('controller: generated objects', () => {
  it('the EventSource workload (every template field used) is schema-valid', async () => {
    const spec = {
      replicas: 2,
      template: {
        metadata: { labels: { a: 'b' }, annotations: { c: 'd' } },
        serviceAccountName: 'sa',
        container: {
          resources: { requests: { cpu: '10m' } },
          imagePullPolicy: 'IfNotPresent',
          securityContext: { runAsNonRoot: true },
          volumeMounts: [{ name: 'extra', mountPath: '/extra' }],
          env: [{ name: 'A', value: 'b' }],
          envFrom: [{ configMapRef: { name: 'env' } }],
        },
        volumes: [{ name: 'extra', emptyDir: {} }],
        securityContext: { fsGroup: 1000 },
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'k', operator: 'Exists' }],
        imagePullSecrets: [{ name: 'pull' }],
        priorityClassName: 'high',
        priority: 10,
        affinity: { nodeAffinity: {} },
      },
      service: { ports: [{ port: 80, targetPort: 12000 }], clusterIP: 'None' },
      webhook: {
        push: { port: '12000', endpoint: '/push', method: 'POST', authSecret: { name: 's', key: 'k' } },
      },
    };
    const object = {
      apiVersion: 'impulse.dev/v1alpha1',
      kind: 'EventSource',
      metadata: { name: 'es', namespace: 'team', uid: 'u' },
      spec,
    };
    const workload = buildWorkload({
      kind: 'EventSource',
      object,
      spec: spec as never,
      bus: busSettings(bus({ jetstream: {} })),
      secrets: secretReferences('EventSource', object),
      image: 'impulse:1',
    });
    for (const o of [workload.configMap, workload.deployment, workload.service!])
      expect([o.kind, await problems(o)]).toEqual([o.kind, []]);
  });

  it('the NATS ConfigMap, Service and StatefulSet of a managed EventBus are schema-valid', async () => {
    const objects = natsResources(
      bus({
        jetstream: {
          version: '2.10.22',
          containerTemplate: { resources: { limits: { memory: '1Gi' } } },
          persistence: { volumeSize: '1Gi', storageClassName: 'x', accessMode: 'ReadWriteOnce' },
          nodeSelector: { a: 'b' },
          startArgs: ['--debug'],
        },
      }),
      'nats',
    );
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Service', 'StatefulSet']);
    for (const o of objects) expect([o.kind, await problems(o)]).toEqual([o.kind, []]);
  });
});
