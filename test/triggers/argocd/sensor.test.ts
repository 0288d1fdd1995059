import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../../../core/secrets.ts';
import {
  type CloudEvent,
  createJetStreamBus,
  type EventBus,
  outcomeSubject,
} from '../../../eventbus/index.ts';
import { type SensorHandle, startSensor } from '../../../sensors/index.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { publishEvent, sensorFrom, sensorServices } from '../../support/sensor-fixture.ts';
import { uniqueName } from '../../support/unique.ts';
import { waitFor } from '../../support/wait.ts';
import { type FakeArgoCd, startFakeArgoCd } from './fake-argocd.ts';
import {
  createApplication,
  type FakeController,
  fakeController,
  registerApplicationCrd,
} from './fake-controller.ts';
import { TOKEN_ENV } from './harness.ts';

/**
 * The argocd trigger in a real sensor: a push event on JetStream fires it, the sync reaches Argo CD
 * (the fake REST server, or the Application object in the emulator), and the sync's outcome events
 * land on the sensor's outcome subject, where a next step could react to them.
 */
const busName = testBusName();
let bus: EventBus;
let emulator: KubeEmulator;
let controller: FakeController;
let argocd: FakeArgoCd;
let dir: string;
let sensor: SensorHandle | undefined;

beforeAll(async () => {
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  argocd = await startFakeArgoCd();
  emulator = await startKubeEmulator({ controllers: false, namespaces: ['argocd'] });
  await registerApplicationCrd(emulator.kubeConfig());
  controller = fakeController(emulator.kubeConfig(), 'argocd');
  dir = await mkdtemp(join(tmpdir(), 'impulse-argocd-'));
  // The kubernetes mode finds the API as kubectl does.
  await emulator.writeKubeconfig(join(dir, 'kubeconfig'));
  process.env.KUBECONFIG = join(dir, 'kubeconfig');
});
afterEach(async () => {
  await sensor?.close();
  sensor = undefined;
});
afterAll(async () => {
  controller?.stop();
  await emulator?.close();
  await argocd?.close();
  await bus?.close();
  await removeBusTraces(busName);
  await rm(dir, { recursive: true, force: true });
});

async function outcomes(sensorName: string): Promise<CloudEvent[]> {
  const seen: CloudEvent[] = [];
  const sub = await bus.subscribe({
    durable: uniqueName('o'),
    filterSubject: outcomeSubject(busName, sensorName, 'sync'),
  });
  void (async () => {
    for await (const m of sub) {
      seen.push(m.event);
      await m.ack();
    }
  })().catch(() => undefined);
  return seen;
}

function sensorYaml(name: string, argocdBlock: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: ${name}}
spec:
  dependencies:
    - {name: push, eventSourceName: git, eventName: push}
  triggers:
    - template:
        name: sync
        argocd:
${argocdBlock}
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: revision
`;
}

async function fire(sensorName: string, yaml: string, revision: string) {
  const events = await outcomes(sensorName);
  sensor = await startSensor(sensorFrom(yaml), {
    ...sensorServices(bus),
    secrets: createSecretResolver({ env: TOKEN_ENV }),
  });
  await waitFor(() => sensor!.health().ok, { message: 'the sensor to be active' });
  await publishEvent(bus, 'git', 'push', { body: { after: revision } });
  await waitFor(() => events.some((e) => e.type === 'impulse.trigger.fired'), {
    timeoutMs: 15_000,
    message: 'the trigger to fire',
  });
  return events;
}

describe('argocd trigger in a sensor', () => {
  it('REST mode: a push syncs its commit and the result is an outcome event', async () => {
    const app = uniqueName('web');
    argocd.apps.set(app, { status: {} });
    const name = uniqueName('rest');
    const events = await fire(
      name,
      sensorYaml(
        name,
        `          app: ${app}
          server: ${argocd.url}
          token: {name: argocd, key: token}
          wait: true`,
      ),
      'c0ffee',
    );
    expect(argocd.requests.find((r) => r.method === 'POST' && r.path.includes(app))?.body).toMatchObject({
      revision: 'c0ffee',
    });
    const succeeded = events.find((e) => e.type === 'impulse.sync.succeeded');
    expect(succeeded?.data).toMatchObject({
      app,
      revision: 'c0ffee',
      phase: 'Succeeded',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
    });
    expect(events.map((e) => e.type)).toEqual([
      'impulse.sync.started',
      'impulse.sync.succeeded',
      'impulse.trigger.fired',
    ]);
  });

  it('kubernetes mode: a push sets the Application operation and the result is an outcome event', async () => {
    const app = uniqueName('api');
    await createApplication(emulator.kubeConfig(), 'argocd', app);
    const name = uniqueName('kube');
    const events = await fire(
      name,
      sensorYaml(
        name,
        `          app: ${app}
          mode: kubernetes
          namespace: argocd
          wait: true`,
      ),
      'beef42',
    );
    expect(controller.operations.some((o) => (o.sync as { revision?: string }).revision === 'beef42')).toBe(
      true,
    );
    expect(events.find((e) => e.type === 'impulse.trigger.fired')?.data).toMatchObject({
      app,
      revision: 'beef42',
      phase: 'Succeeded',
      healthStatus: 'Healthy',
    });
  });
});
