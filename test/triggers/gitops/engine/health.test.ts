import { describe, expect, it } from 'vitest';
import { aggregateHealth, resourceHealth } from '../../../../triggers/gitops/engine/health.ts';
import type { KubeObject } from '../../../../triggers/gitops/engine/kube-object.ts';

const obj = (
  apiVersion: string,
  kind: string,
  spec: object,
  status: object,
  metadata: object = {},
): KubeObject =>
  ({
    apiVersion,
    kind,
    metadata: { name: 'x', generation: 2, ...metadata },
    spec,
    status,
  }) as unknown as KubeObject;
const health = (o: KubeObject) => resourceHealth(o)?.status;

describe('gitops engine: health rules', () => {
  it('Deployment', () => {
    const d = (spec: object, status: object) =>
      health(obj('apps/v1', 'Deployment', { replicas: 2, ...spec }, { observedGeneration: 2, ...status }));
    expect(d({ paused: true }, {})).toBe('Suspended');
    expect(d({}, { observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 })).toBe('Progressing');
    expect(d({}, { conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] })).toBe(
      'Degraded',
    );
    expect(d({}, { updatedReplicas: 1, replicas: 2, availableReplicas: 1 })).toBe('Progressing');
    expect(d({}, { updatedReplicas: 2, replicas: 3, availableReplicas: 2 })).toBe('Progressing');
    expect(d({}, { updatedReplicas: 2, replicas: 2, availableReplicas: 1 })).toBe('Progressing');
    expect(d({}, { updatedReplicas: 2, replicas: 2, availableReplicas: 2 })).toBe('Healthy');
  });

  it('StatefulSet, DaemonSet and ReplicaSet', () => {
    const sts = (spec: object, status: object) =>
      health(obj('apps/v1', 'StatefulSet', { replicas: 2, ...spec }, { observedGeneration: 2, ...status }));
    expect(sts({}, { observedGeneration: 1 })).toBe('Progressing');
    expect(sts({}, { readyReplicas: 1 })).toBe('Progressing');
    expect(
      sts(
        { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
        { readyReplicas: 2, updatedReplicas: 0 },
      ),
    ).toBe('Progressing');
    expect(
      sts(
        { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
        { readyReplicas: 2, updatedReplicas: 1 },
      ),
    ).toBe('Healthy');
    expect(sts({}, { readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' })).toBe('Progressing');
    expect(
      sts(
        { updateStrategy: { type: 'OnDelete' } },
        { readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' },
      ),
    ).toBe('Healthy');
    expect(sts({}, { readyReplicas: 2, currentRevision: 'a', updateRevision: 'a' })).toBe('Healthy');

    const ds = (status: object) =>
      health(
        obj('apps/v1', 'DaemonSet', {}, { observedGeneration: 2, desiredNumberScheduled: 3, ...status }),
      );
    expect(ds({ updatedNumberScheduled: 2, numberAvailable: 3 })).toBe('Progressing');
    expect(ds({ updatedNumberScheduled: 3, numberAvailable: 2 })).toBe('Progressing');
    expect(ds({ updatedNumberScheduled: 3, numberAvailable: 3 })).toBe('Healthy');

    const rs = (status: object) =>
      health(obj('apps/v1', 'ReplicaSet', { replicas: 2 }, { observedGeneration: 2, ...status }));
    expect(rs({ conditions: [{ type: 'ReplicaFailure', status: 'True' }] })).toBe('Degraded');
    expect(rs({ availableReplicas: 1 })).toBe('Progressing');
    expect(rs({ availableReplicas: 2 })).toBe('Healthy');
  });

  it('Pod', () => {
    const pod = (spec: object, status: object) => health(obj('v1', 'Pod', spec, status));
    expect(pod({}, { phase: 'Pending' })).toBe('Progressing');
    expect(pod({}, { phase: 'Succeeded' })).toBe('Healthy');
    expect(pod({ restartPolicy: 'Never' }, { phase: 'Failed' })).toBe('Degraded');
    expect(
      pod(
        {},
        { phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      ),
    ).toBe('Degraded');
    expect(
      pod({}, { phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'ErrImagePull' } } }] }),
    ).toBe('Degraded');
    expect(pod({}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })).toBe('Healthy');
    expect(pod({}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] })).toBe(
      'Progressing',
    );
    expect(
      pod({ restartPolicy: 'Never' }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }),
    ).toBe('Progressing');
  });

  it('Job, Service, Ingress, PVC, HPA, APIService', () => {
    const job = (spec: object, status: object) => health(obj('batch/v1', 'Job', spec, status));
    expect(job({}, { conditions: [{ type: 'Complete', status: 'True' }] })).toBe('Healthy');
    expect(job({}, { conditions: [{ type: 'Failed', status: 'True' }] })).toBe('Degraded');
    expect(job({ suspend: true }, {})).toBe('Suspended');
    expect(job({}, { active: 1 })).toBe('Progressing');

    expect(health(obj('v1', 'Service', { type: 'ClusterIP' }, {}))).toBe('Healthy');
    expect(health(obj('v1', 'Service', { type: 'LoadBalancer' }, {}))).toBe('Progressing');
    expect(
      health(
        obj('v1', 'Service', { type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }),
      ),
    ).toBe('Healthy');
    expect(health(obj('networking.k8s.io/v1', 'Ingress', {}, {}))).toBe('Progressing');
    expect(
      health(obj('networking.k8s.io/v1', 'Ingress', {}, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } })),
    ).toBe('Healthy');

    expect(health(obj('v1', 'PersistentVolumeClaim', {}, { phase: 'Bound' }))).toBe('Healthy');
    expect(health(obj('v1', 'PersistentVolumeClaim', {}, { phase: 'Pending' }))).toBe('Progressing');
    expect(health(obj('v1', 'PersistentVolumeClaim', {}, { phase: 'Lost' }))).toBe('Degraded');

    const hpa = (conditions: object[]) =>
      health(obj('autoscaling/v2', 'HorizontalPodAutoscaler', {}, { conditions }));
    expect(hpa([{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale' }])).toBe('Degraded');
    expect(hpa([{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' }])).toBe('Healthy');
    expect(hpa([])).toBe('Progressing');

    const api = (status: string) =>
      health(
        obj('apiregistration.k8s.io/v1', 'APIService', {}, { conditions: [{ type: 'Available', status }] }),
      );
    expect(api('True')).toBe('Healthy');
    expect(api('False')).toBe('Progressing');
  });

  it('a Ready condition gives any other kind health; no rule and no condition gives none', () => {
    const cr = (status: object, generation = 1) =>
      health(obj('example.dev/v1', 'Widget', {}, status, { generation }));
    expect(cr({})).toBeUndefined();
    expect(health(obj('v1', 'ConfigMap', {}, {}))).toBeUndefined();
    expect(cr({ conditions: [{ type: 'Ready', status: 'True' }] })).toBe('Healthy');
    expect(cr({ conditions: [{ type: 'Ready', status: 'False', reason: 'Issuing' }] })).toBe('Progressing');
    expect(cr({ conditions: [{ type: 'Ready', status: 'False', reason: 'ReconcileFailed' }] })).toBe(
      'Degraded',
    );
    expect(cr({ observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] }, 2)).toBe(
      'Progressing',
    );
  });

  it('an object being deleted is Progressing', () => {
    expect(health(obj('v1', 'ConfigMap', {}, {}, { deletionTimestamp: '2024-01-01T00:00:00Z' }))).toBe(
      'Progressing',
    );
  });

  it('aggregates to the worst health, Missing only when nothing exists', () => {
    expect(aggregateHealth([{ healthStatus: 'Healthy' }, { healthStatus: 'Progressing' }, {}])).toBe(
      'Progressing',
    );
    expect(aggregateHealth([{ healthStatus: 'Missing' }, { healthStatus: 'Degraded' }])).toBe('Degraded');
    expect(aggregateHealth([{ healthStatus: 'Suspended' }, { healthStatus: 'Missing' }])).toBe('Missing');
    expect(aggregateHealth([{ healthStatus: 'Missing' }, { healthStatus: 'Missing' }])).toBe('Missing');
    expect(aggregateHealth([{}, {}])).toBe('Healthy');
  });
});
