import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, uniqueName } from '../kube-emulator/fixture.ts';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { waitFor } from '../support/wait.ts';
import { applyCrds, impulseApi, startTestController } from './fixture.ts';

interface Recorded {
  method: string;
  path: string;
}

/**
 * An HTTP proxy in front of the emulator for one controller replica, recording what that replica
 * sends, so the emulator's audit log of writes can be attributed to a replica.
 */
async function recordingProxy(emulator: KubeEmulator) {
  const target = new URL(emulator.url);
  const seen: Recorded[] = [];
  let cut = false;
  const server: Server = createServer((req, res) => {
    // A network partition: new requests of this replica never reach the API server.
    if (cut) {
      req.socket.destroy();
      return;
    }
    seen.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '' });
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // A watch answers its headers before any event; clients wait for them.
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(emulator.kubeconfigYaml().replace(emulator.url, url));
  return {
    kubeConfig,
    seen,
    writes: () => seen.filter((r) => r.method !== 'GET'),
    /** Cuts the replica off the API server (new requests fail), or connects it again. */
    partition(on: boolean) {
      cut = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const isLease = (path: string) => path.includes('/leases/') || path.endsWith('/leases');
const reconciles = async (registry: Registry) =>
  (await registry.getSingleMetricAsString('impulse_controller_reconcile_total'))
    .split('\n')
    .filter((l) => l.startsWith('impulse_controller_reconcile_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);

let emulator: KubeEmulator;
let namespace: string;
let k: ReturnType<typeof impulseApi>;

beforeAll(async () => {
  namespace = uniqueName('ha');
  emulator = await startTestEmulator({ tls: false, namespaces: [namespace] });
  await applyCrds(emulator);
  k = impulseApi(emulator, namespace);
  await k.apply('EventBus', 'default', { jetstreamExotic: { url: 'nats://bus.example:4222' } });
});
afterAll(() => emulator?.close());

describe('controller: two replicas', () => {
  it('only the leader writes; after it leaves the other takes over, and finding everything in place writes nothing', async () => {
    const [proxyA, proxyB] = [await recordingProxy(emulator), await recordingProxy(emulator)];
    const leaseName = uniqueName('lease');
    const registryB = new Registry();
    await using a = await startTestController(emulator, {
      kubeConfig: proxyA.kubeConfig,
      namespace,
      identity: 'replica-a',
      leaseName,
    });
    await waitFor(() => a.isLeader, { message: 'replica a to lead' });
    await using b = await startTestController(emulator, {
      kubeConfig: proxyB.kubeConfig,
      namespace,
      identity: 'replica-b',
      leaseName,
      registry: registryB,
    });
    await waitFor(() => proxyB.seen.some((r) => isLease(r.path)), {
      message: 'replica b to look at the lease',
    });
    const lease = await emulator
      .kubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: 'default', name: leaseName });
    expect(lease.spec?.holderIdentity).toBe('replica-a');

    emulator.clearAudit();
    const [es, sn] = [uniqueName('es'), uniqueName('sn')];
    await k.apply('EventSource', es, {
      webhook: { push: { port: '12000', endpoint: '/push', method: 'POST' } },
    });
    await k.apply('Sensor', sn, {
      dependencies: [{ name: 'd', eventSourceName: es, eventName: 'push' }],
      triggers: [{ template: { name: 'log', log: {} } }],
    });
    await k.condition('EventSource', es, 'Ready', 'True');
    await k.condition('Sensor', sn, 'Ready', 'True');
    await k.replaceSpec('EventSource', es, (spec) => {
      (spec.webhook as { push: { endpoint: string } }).push.endpoint = '/v2';
    });
    await waitFor(async () => {
      const ready = (await k.get('EventSource', es)).status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && ready.observedGeneration === 2;
    });

    const controllerWrites = emulator
      .audit()
      .filter(
        (e) =>
          e.kind !== 'Lease' &&
          !(e.subresource === undefined && (e.kind === 'EventSource' || e.kind === 'Sensor')),
      );
    expect(controllerWrites.length).toBeGreaterThan(6);
    expect(proxyB.writes().filter((w) => !isLease(w.path))).toEqual([]);
    const aWrites = proxyA.writes().filter((w) => !isLease(w.path));
    // Every write the API server took besides the test's own came through a's connection (a request
    // that failed, such as a conflict, reaches the proxy but not the audit log).
    expect(aWrites.length).toBeGreaterThanOrEqual(controllerWrites.length);
    expect(controllerWrites.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['ConfigMap', 'Deployment', 'Event', 'EventSource', 'Sensor']),
    );
    expect(b.isLeader).toBe(false);

    // Replica a leaves (releasing the lease); b takes over, reconciles everything, and finds nothing to do.
    emulator.clearAudit();
    const before = await reconciles(registryB);
    await a.close();
    const aWritesAtClose = proxyA.writes().length;
    await waitFor(() => b.isLeader, { message: 'replica b to take over', timeoutMs: 5000 });
    await waitFor(async () => (await reconciles(registryB)) >= before + 3, {
      message: 'b to reconcile all three objects',
    });
    expect(emulator.audit().filter((e) => e.kind !== 'Lease')).toEqual([]);

    // And b now does the writing.
    await k.replaceSpec('Sensor', sn, (spec) => {
      spec.replicas = 2;
    });
    await waitFor(
      async () =>
        (await k.apps.readNamespacedDeployment({ namespace, name: `${sn}-sensor` })).spec?.replicas === 2,
    );
    expect(proxyB.writes().some((w) => w.path.endsWith(`/deployments/${sn}-sensor`))).toBe(true);
    expect(proxyA.writes().length).toBe(aWritesAtClose);
    await b.close();
    await proxyA.close();
    await proxyB.close();
  });

  it('a leader cut off from the API server stops acting before the other replica takes over, and stays silent when it comes back', async () => {
    const [proxyA, proxyB] = [await recordingProxy(emulator), await recordingProxy(emulator)];
    const leaseName = uniqueName('lease');
    await using a = await startTestController(emulator, {
      kubeConfig: proxyA.kubeConfig,
      namespace,
      identity: 'a',
      leaseName,
    });
    await waitFor(() => a.isLeader, { message: 'replica a to lead' });
    await using b = await startTestController(emulator, {
      kubeConfig: proxyB.kubeConfig,
      namespace,
      identity: 'b',
      leaseName,
    });
    const es = uniqueName('es');
    await k.apply('EventSource', es, {
      webhook: { push: { port: '12000', endpoint: '/push', method: 'POST' } },
    });
    await k.condition('EventSource', es, 'Ready', 'True');

    proxyA.partition(true);
    const cutAt = Date.now();
    await waitFor(() => !a.isLeader, { message: 'replica a to stop leading', timeoutMs: 5000 });
    const stoppedAfter = Date.now() - cutAt;
    await waitFor(() => b.isLeader, { message: 'replica b to take over', timeoutMs: 10_000 });
    // a stopped within its renew deadline (1.5 s), before b could take the lease (2 s unchanged).
    expect(stoppedAfter).toBeLessThan(2000);
    proxyA.partition(false);
    const aWrites = proxyA.writes().filter((w) => !isLease(w.path)).length;

    await k.replaceSpec('EventSource', es, (spec) => {
      (spec.webhook as { push: { endpoint: string } }).push.endpoint = '/moved';
    });
    await waitFor(async () => {
      const ready = (await k.get('EventSource', es)).status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'True' && ready.observedGeneration === 2;
    });
    expect(proxyB.writes().some((w) => w.path.endsWith(`/deployments/${es}-eventsource`))).toBe(true);
    expect(proxyA.writes().filter((w) => !isLease(w.path)).length).toBe(aWrites);
    expect(a.isLeader).toBe(false);
    await a.close();
    await b.close();
    await proxyA.close();
    await proxyB.close();
  });
});
