import type { V1Deployment, V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_ANNOTATIONS, type KubeEmulator } from '../support/kube-emulator/index.ts';
import { waitFor } from '../support/wait.ts';
import { asPatch, clients, deployment, startTestEmulator, uniqueName } from './fixture.ts';

const podSpec = (restartPolicy?: string) => ({
  ...(restartPolicy ? { restartPolicy } : {}),
  containers: [{ name: 'main', image: 'busybox:1.36' }],
});

/** Argo CD's Deployment health rule, the way a sync engine reads status. */
function deploymentHealthy(d: V1Deployment): boolean {
  const s = d.status;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    s?.updatedReplicas === d.spec?.replicas &&
    s?.availableReplicas === d.spec?.replicas &&
    s?.conditions?.find((c) => c.type === 'Available')?.status === 'True'
  );
}

const condition = (job: V1Job, type: string) => job.status?.conditions?.find((c) => c.type === type)?.status;

describe('kube-emulator: simulated controllers', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;
  let namespace: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    api = clients(emulator);
    namespace = uniqueName('ctl');
    await api.core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(() => emulator.close());

  it('rolls a Deployment out after the delay, and again after a spec change', async () => {
    const created = await api.apps.createNamespacedDeployment({ namespace, body: deployment('web') });
    const ready = await waitFor(async () => {
      const d = await api.apps.readNamespacedDeployment({ namespace, name: 'web' });
      return deploymentHealthy(d) ? d : undefined;
    });
    expect(ready.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
    expect(ready.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetAvailable',
    );
    expect(created.metadata?.generation).toBe(1);
    await api.apps.patchNamespacedDeployment(
      { namespace, name: 'web', body: { spec: { replicas: 3 } } },
      asPatch.merge,
    );
    const rolled = await waitFor(async () => {
      const d = await api.apps.readNamespacedDeployment({ namespace, name: 'web' });
      return d.metadata?.generation === 2 && deploymentHealthy(d) ? d : undefined;
    });
    expect(rolled.status?.availableReplicas).toBe(3);
  });

  it('keeps a stalled Deployment progressing and reports a degraded one as ProgressDeadlineExceeded', async () => {
    await api.apps.createNamespacedDeployment({
      namespace,
      body: deployment('stuck', { annotations: { [EMULATOR_ANNOTATIONS.stall]: 'true' } }),
    });
    await api.apps.createNamespacedDeployment({
      namespace,
      body: deployment('broken', { annotations: { [EMULATOR_ANNOTATIONS.degrade]: 'true' } }),
    });
    const broken = await waitFor(async () => {
      const d = await api.apps.readNamespacedDeployment({ namespace, name: 'broken' });
      return d.status?.conditions?.find((c) => c.type === 'Progressing' && c.status === 'False')
        ? d
        : undefined;
    });
    expect(broken.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'ProgressDeadlineExceeded',
    );
    const stuck = await api.apps.readNamespacedDeployment({ namespace, name: 'stuck' });
    expect(stuck.status?.observedGeneration).toBe(1);
    expect(deploymentHealthy(stuck)).toBe(false);
    expect(stuck.status?.unavailableReplicas).toBe(2);
    expect(stuck.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });
    expect(stuck.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('False');
  });

  it('makes StatefulSets, DaemonSets and ReplicaSets ready', async () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: podSpec() };
    await api.apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'db' },
        spec: { serviceName: 'db', replicas: 2, selector: { matchLabels: { app: 'x' } }, template },
      },
    });
    await api.apps.createNamespacedDaemonSet({
      namespace,
      body: { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'x' } }, template } },
    });
    await api.apps.createNamespacedReplicaSet({
      namespace,
      body: {
        metadata: { name: 'rs' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template },
      },
    });
    const sts = await waitFor(async () => {
      const s = await api.apps.readNamespacedStatefulSet({ namespace, name: 'db' });
      return s.status?.readyReplicas === 2 ? s : undefined;
    });
    expect(sts.status?.currentRevision).toBe(sts.status?.updateRevision);
    expect(sts.status?.observedGeneration).toBe(1);
    await waitFor(
      async () =>
        (await api.apps.readNamespacedDaemonSet({ namespace, name: 'agent' })).status?.numberReady === 1,
    );
    await waitFor(
      async () =>
        (await api.apps.readNamespacedReplicaSet({ namespace, name: 'rs' })).status?.availableReplicas === 1,
    );
  });

  it('runs Pods, and completes or fails run-to-completion ones', async () => {
    await api.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'server' }, spec: podSpec() },
    });
    await api.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'task' }, spec: podSpec('Never') },
    });
    await api.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'bad-task', annotations: { [EMULATOR_ANNOTATIONS.fail]: 'true' } },
        spec: podSpec('Never'),
      },
    });
    const running = await waitFor(async () => {
      const p = await api.core.readNamespacedPod({ namespace, name: 'server' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    expect(running.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(running.status?.containerStatuses?.[0]).toMatchObject({
      name: 'main',
      ready: true,
      state: { running: {} },
    });
    expect(running.status?.podIP).toMatch(/^10\.244\./);
    await waitFor(
      async () =>
        (await api.core.readNamespacedPod({ namespace, name: 'task' })).status?.phase === 'Succeeded',
    );
    await waitFor(
      async () =>
        (await api.core.readNamespacedPod({ namespace, name: 'bad-task' })).status?.phase === 'Failed',
    );
  });

  it('completes Jobs, or fails those annotated to fail', async () => {
    const template = { spec: podSpec('Never') };
    await api.batch.createNamespacedJob({
      namespace,
      body: { metadata: { name: 'ok' }, spec: { template } },
    });
    await api.batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'ko', annotations: { [EMULATOR_ANNOTATIONS.fail]: 'true' } },
        spec: { backoffLimit: 0, template },
      },
    });
    await api.batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'hung', annotations: { [EMULATOR_ANNOTATIONS.stall]: 'true' } },
        spec: { template },
      },
    });
    const ok = await waitFor(async () => {
      const j = await api.batch.readNamespacedJob({ namespace, name: 'ok' });
      return condition(j, 'Complete') === 'True' ? j : undefined;
    });
    expect(ok.status?.succeeded).toBe(1);
    expect(ok.status?.completionTime).toBeInstanceOf(Date);
    const ko = await waitFor(async () => {
      const j = await api.batch.readNamespacedJob({ namespace, name: 'ko' });
      return condition(j, 'Failed') === 'True' ? j : undefined;
    });
    expect(ko.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(condition(ko, 'Complete')).toBeUndefined();
    const hung = await api.batch.readNamespacedJob({ namespace, name: 'hung' });
    expect(hung.status?.active).toBe(1);
    expect(hung.status?.startTime).toBeInstanceOf(Date);
    expect(hung.status?.conditions).toBeUndefined();
  });

  it('binds claims and gives LoadBalancer Services and Ingresses an address', async () => {
    await api.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    await api.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
    await api.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'internal' }, spec: { ports: [{ port: 80 }] } },
    });
    await api.networking.createNamespacedIngress({
      namespace,
      body: { metadata: { name: 'ing' }, spec: { rules: [{ host: 'example.test' }] } },
    });
    const pvc = await waitFor(async () => {
      const c = await api.core.readNamespacedPersistentVolumeClaim({ namespace, name: 'data' });
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    expect(pvc.status?.capacity).toEqual({ storage: '1Gi' });
    const lb = await waitFor(
      async () =>
        (await api.core.readNamespacedService({ namespace, name: 'lb' })).status?.loadBalancer?.ingress?.[0],
    );
    expect(lb.ip).toBe('127.0.0.1');
    await waitFor(
      async () =>
        (await api.networking.readNamespacedIngress({ namespace, name: 'ing' })).status?.loadBalancer
          ?.ingress?.[0]?.ip,
    );
    const internal = await api.core.readNamespacedService({ namespace, name: 'internal' });
    expect(internal.status?.loadBalancer?.ingress).toBeUndefined();
  });

  it('does not audit its own writes', async () => {
    const ns = uniqueName('audit');
    emulator.clearAudit();
    await api.core.createNamespace({ body: { metadata: { name: ns } } });
    await api.apps.createNamespacedDeployment({ namespace: ns, body: deployment('quiet', { replicas: 1 }) });
    await waitFor(async () =>
      deploymentHealthy(await api.apps.readNamespacedDeployment({ namespace: ns, name: 'quiet' })),
    );
    expect(emulator.audit().map((e) => `${e.verb} ${e.kind}`)).toEqual([
      'create Namespace',
      'create Deployment',
    ]);
  });
});
