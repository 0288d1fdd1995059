import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
import { createResourceSource } from '../../../eventsources/resource/index.ts';
import { type SensorHandle, startSensor } from '../../../sensors/index.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';
import { sensorServices } from '../../support/sensor-fixture.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';

/** examples/resource-watch, as the README walks through it, against the emulator. */
const busName = testBusName();
let bus: EventBus;
let emulator: KubeEmulator;
let source: EventSourceHandle | undefined;
let sensor: SensorHandle | undefined;

beforeAll(async () => {
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  emulator = await startKubeEmulator({ controllers: false, namespaces: ['demo'] });
});
afterAll(async () => {
  await sensor?.close();
  await source?.close();
  await bus?.close();
  await removeBusTraces(busName);
  await emulator?.close();
});

it('examples/resource-watch: a labelled ConfigMap change reaches the sensor, others do not', async () => {
  const { eventSources, sensors } = await loadObjects([join(REPO_ROOT, 'examples/resource-watch')]);
  const kc = emulator.kubeConfig();
  const fired: CloudEvent[] = [];
  const sub = await bus.subscribe({
    durable: 'fired',
    filterSubject: outcomeSubject(busName, 'configmap-changes', 'log-change'),
  });
  void (async () => {
    for await (const m of sub) {
      fired.push(m.event);
      await m.ack();
    }
  })().catch(() => undefined);
  sensor = await startSensor(sensors[0]!.object, sensorServices(bus));
  await waitFor(() => sensor!.health().ok, { timeoutMs: 15_000, message: 'the sensor to be active' });
  source = await runEventSource(eventSources[0]!.object, {
    ...sensorServices(bus),
    secrets: createSecretResolver({ env: {} }),
    logger: silentLogger(),
    metrics: new Metrics(),
    leases: false,
    registry: { resource: (init) => createResourceSource(init, { kubeConfig: async () => kc }) },
  });

  const { CoreV1Api } = await import('@kubernetes/client-node');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: 'demo',
    body: { metadata: { name: 'unrelated' }, data: { a: '1' } },
  });
  await core.createNamespacedConfigMap({
    namespace: 'demo',
    body: { metadata: { name: 'settings', labels: { app: 'demo' } }, data: { greeting: 'hello' } },
  });
  await waitFor(() => fired.some((e) => e.type === 'impulse.trigger.fired'), {
    timeoutMs: 10_000,
    message: 'the log trigger to fire',
  });
  await staysTrue(() => fired.filter((e) => e.type === 'impulse.trigger.fired').length === 1, { forMs: 300 });
  const events = Object.values((fired[0]!.data as { eventIds: Record<string, string> }).eventIds);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatch(/:ADD$/);
});
