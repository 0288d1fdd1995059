import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { silentLogger } from '../../../core/logger.ts';
import { Metrics } from '../../../core/metrics.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import { loadObjects } from '../../../crds/index.ts';
import {
  type CloudEvent,
  createJetStreamBus,
  type EventBus,
  outcomeSubject,
} from '../../../eventbus/index.ts';
import { type EventSourceHandle, runEventSource } from '../../../eventsources/index.ts';
import { type SensorHandle, startSensor } from '../../../sensors/index.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';
import { freePort } from '../../support/ports.ts';
import { sensorServices } from '../../support/sensor-fixture.ts';
import { waitFor } from '../../support/wait.ts';
import { APP, type FakeController, fakeController, registerApplicationCrd } from './fake-controller.ts';

/**
 * examples/argocd-sync as the README walks through it: the cluster objects applied to the emulator,
 * a push to the webhook, the Application's operation set to the pushed commit, and the outcome
 * sensor firing on the sync's outcome events. A test-side loop plays Argo CD's controller.
 */
const dir = join(REPO_ROOT, 'examples/argocd-sync');
const busName = testBusName();
let bus: EventBus;
let emulator: KubeEmulator;
let controller: FakeController;
let source: EventSourceHandle | undefined;
const sensors: SensorHandle[] = [];

beforeAll(async () => {
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  emulator = await startKubeEmulator({ controllers: false, namespaces: ['argocd'] });
  const kc = emulator.kubeConfig();
  // The CRD file as the README applies it (client-node's typed CRD model would drop its schema keys).
  const crd = parse(await readFile(join(dir, 'cluster/application-crd.yaml'), 'utf8'));
  expect(crd.metadata.name).toBe('applications.argoproj.io');
  await registerApplicationCrd(kc);
  const app = parse(await readFile(join(dir, 'cluster/application.yaml'), 'utf8'));
  await kc
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({ ...APP, namespace: app.metadata.namespace, body: app });
  controller = fakeController(kc, 'argocd');
  const file = join(tmpdir(), `impulse-argocd-example-${busName}`);
  await emulator.writeKubeconfig(file);
  process.env.KUBECONFIG = file;
});
afterAll(async () => {
  for (const s of sensors) await s.close();
  await source?.close();
  controller?.stop();
  await bus?.close();
  await removeBusTraces(busName);
  await emulator?.close();
});

it('examples/argocd-sync: a push sets the Application operation to its commit and the outcome sensor fires', async () => {
  const loaded = await loadObjects([dir]);
  const outcomes: CloudEvent[] = [];
  const sub = await bus.subscribe({
    durable: 'outcomes',
    filterSubject: outcomeSubject(busName, 'deploy-outcomes', 'log-outcome'),
  });
  void (async () => {
    for await (const m of sub) {
      outcomes.push(m.event);
      await m.ack();
    }
  })().catch(() => undefined);
  for (const { object } of loaded.sensors) {
    const sensor = await startSensor(object, sensorServices(bus));
    sensors.push(sensor);
    await waitFor(() => sensor.health().ok, {
      timeoutMs: 15_000,
      message: `sensor ${object.metadata.name} active`,
    });
  }
  // The example's port, 12000, may be taken by another test: the same webhook on a free port.
  const es = loaded.eventSources[0]!.object;
  const port = await freePort();
  (es.spec.webhook as Record<string, { port: string }>).push!.port = String(port);
  source = await runEventSource(es, {
    bus,
    logger: silentLogger(),
    metrics: new Metrics(),
    secrets: createSecretResolver({ env: {} }),
    leases: false,
  });

  const answer = await fetch(`http://127.0.0.1:${port}/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ after: '3f9c2a1' }),
  });
  expect(answer.status).toBe(200);
  await waitFor(() => controller.operations.length > 0, { timeoutMs: 10_000, message: 'the sync operation' });
  expect(controller.operations[0]).toMatchObject({
    initiatedBy: { username: 'impulse' },
    sync: { revision: '3f9c2a1', prune: true, syncOptions: ['CreateNamespace=true'] },
  });
  await waitFor(() => outcomes.some((e) => e.type === 'impulse.trigger.fired'), {
    timeoutMs: 10_000,
    message: 'the outcome sensor to fire',
  });
});
