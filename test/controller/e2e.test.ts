import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, startTestEmulator, uniqueName } from '../kube-emulator/fixture.ts';
import { type ImpulseProcess, startImpulse } from '../support/impulse-process.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import type { KubeEmulator, RunnerProcess } from '../support/kube-emulator/index.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/wait.ts';
import { applyCrds, impulseApi, TEST_IMAGE } from './fixture.ts';

let emulator: KubeEmulator;
let controller: ImpulseProcess;
let namespace: string;
let k: ReturnType<typeof impulseApi>;
let dir: string;
const busName = testBusName();

beforeAll(async () => {
  namespace = uniqueName('e2e');
  dir = await mkdtemp(join(tmpdir(), 'controller-e2e-'));
  // Deployments of the Impulse image run as local `impulse` processes (bin/impulse.js).
  emulator = await startTestEmulator({ namespaces: [namespace], processRunner: { image: TEST_IMAGE } });
  await applyCrds(emulator);
  k = impulseApi(emulator, namespace);
  const kubeconfig = join(dir, 'kubeconfig');
  await emulator.writeKubeconfig(kubeconfig);
  controller = await startImpulse(
    'controller',
    ['controller', '--kubeconfig', kubeconfig, '--namespace', namespace, '--image', TEST_IMAGE],
    { echo: !!process.env.CONTROLLER_LOGS },
  );
}, 30_000);
afterAll(async () => {
  await controller?.stop();
  await emulator?.close();
  await removeBusTraces(busName).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const health = async (p: RunnerProcess | undefined) =>
  p?.metricsPort !== undefined &&
  (await fetch(`http://127.0.0.1:${p.metricsPort}/health`).catch(() => undefined))?.status === 200;
const processOf = (deployment: string) => emulator.processes().find((p) => p.deployment === deployment);
const alive = (pid: number | undefined) => {
  try {
    return pid !== undefined && process.kill(pid, 0);
  } catch {
    return false;
  }
};

describe('controller end to end, with the emulator running the workloads as processes', () => {
  it('webhook EventSource -> bus -> Sensor whose k8s trigger creates an object; deleting the Sensor stops it', async () => {
    await controller.healthy();
    const port = await freePort();
    const [es, sn, made] = [uniqueName('hooks'), uniqueName('maker'), uniqueName('made')];

    // Given an EventBus on the local NATS, a webhook EventSource and a Sensor with a k8s trigger.
    await k.apply('EventBus', busName, { jetstreamExotic: { url: SHARED_NATS_URL } });
    await k.apply('EventSource', es, {
      eventBusName: busName,
      webhook: { push: { port: String(port), endpoint: '/push', method: 'POST' } },
    });
    await k.apply('Sensor', sn, {
      eventBusName: busName,
      dependencies: [{ name: 'push', eventSourceName: es, eventName: 'push' }],
      triggers: [
        {
          template: {
            name: 'make-configmap',
            k8s: {
              operation: 'create',
              source: {
                resource: {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: made },
                  data: { greeting: 'none' },
                },
              },
              parameters: [
                { src: { dependencyName: 'push', dataKey: 'body.greeting' }, dest: 'data.greeting' },
              ],
            },
          },
        },
      ],
    });

    // The controller creates the Deployments and the emulator runs them.
    await waitFor(() =>
      k.apps.readNamespacedDeployment({ namespace, name: `${sn}-sensor` }).catch(() => undefined),
    );
    const diagnose = () =>
      JSON.stringify(emulator.processes().map((p) => [p.deployment, p.state, p.error, p.output.slice(-5)]));
    await waitFor(() => health(processOf(`${es}-eventsource`)), {
      timeoutMs: 30_000,
      message: `the EventSource process: ${diagnose()}`,
    });
    await waitFor(() => health(processOf(`${sn}-sensor`)), {
      timeoutMs: 30_000,
      message: `the Sensor process: ${diagnose()}`,
    });
    expect(processOf(`${sn}-sensor`)?.args.slice(0, 2)).toEqual(['sensor', '-f']);
    expect(processOf(`${sn}-sensor`)?.env).toMatchObject({
      IMPULSE_BUS_URL: SHARED_NATS_URL,
      IMPULSE_BUS_NAME: busName,
    });
    await k.condition('Sensor', sn, 'Ready', 'True');

    // When a webhook arrives, the trigger creates the ConfigMap in the emulator.
    const answer = await fetch(`http://127.0.0.1:${port}/push`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ greeting: 'hello from the webhook' }),
    });
    expect(answer.status).toBe(200);
    const cm = await waitFor(
      () => k.core.readNamespacedConfigMap({ namespace, name: made }).catch(() => undefined),
      {
        timeoutMs: 15_000,
        message: `the ConfigMap the trigger creates: ${diagnose()}`,
      },
    );
    expect(cm.data).toEqual({ greeting: 'hello from the webhook' });

    // Deleting the Sensor stops its process and removes its Deployment.
    const pid = processOf(`${sn}-sensor`)?.pid;
    expect(alive(pid)).toBe(true);
    await k.remove('Sensor', sn);
    await waitFor(
      async () =>
        (await apiError(k.apps.readNamespacedDeployment({ namespace, name: `${sn}-sensor` }))).code === 404,
      {
        message: 'the Sensor Deployment to go',
      },
    );
    await waitFor(() => !alive(pid) && processOf(`${sn}-sensor`) === undefined, {
      timeoutMs: 10_000,
      message: 'the Sensor process to stop',
    });
    expect(await health(processOf(`${es}-eventsource`))).toBe(true);
  }, 90_000);
});
