import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { secretReferences } from '../../controller/index.ts';
import { apiError, startTestEmulator, uniqueName } from '../kube-emulator/fixture.ts';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { waitFor } from '../support/wait.ts';
import { API_VERSION, applyCrds, impulseApi, startTestController } from './fixture.ts';

let emulator: KubeEmulator;
let controller: Awaited<ReturnType<typeof startTestController>>;
let namespace: string;
let k: ReturnType<typeof impulseApi>;

beforeAll(async () => {
  namespace = uniqueName('sn');
  emulator = await startTestEmulator({ namespaces: [namespace] });
  await applyCrds(emulator);
  k = impulseApi(emulator, namespace);
  await k.apply('EventBus', 'main', { jetstreamExotic: { url: 'nats://bus.example:4222' } });
  controller = await startTestController(emulator, { namespace });
});
afterAll(async () => {
  await controller?.close();
  await emulator?.close();
});

const sensorSpec = () => ({
  eventBusName: 'main',
  replicas: 2,
  revisionHistoryLimit: 3,
  template: { serviceAccountName: 'deployer', tolerations: [{ key: 'spot', operator: 'Exists' }] },
  dependencies: [{ name: 'push', eventSourceName: 'hooks', eventName: 'push' }],
  triggers: [
    {
      template: {
        name: 'notify',
        http: {
          url: 'https://hooks.example/notify',
          method: 'POST',
          basicAuth: {
            username: { name: 'notify-auth', key: 'user' },
            password: { name: 'notify-auth', key: 'password' },
          },
          secureHeaders: [
            {
              name: 'X-Token',
              valueFrom: { secretKeyRef: { name: 'api-token', key: 'token', optional: true } },
            },
          ],
        },
      },
    },
    { template: { name: 'log', log: {} } },
  ],
});

describe('controller: Sensor', () => {
  it('finds every Secret key a trigger refers to, wherever the schema has a secret reference', () => {
    expect(secretReferences('Sensor', { spec: sensorSpec() })).toEqual([
      { name: 'notify-auth', key: 'user' },
      { name: 'notify-auth', key: 'password' },
      { name: 'api-token', key: 'token', optional: true },
    ]);
  });

  it('runs `impulse sensor` with its triggers Secrets mounted under the secrets directory, and no Service', async () => {
    const name = uniqueName('deploy');
    const created = await k.apply('Sensor', name, sensorSpec());
    const deployment: V1Deployment = await waitFor(
      () => k.apps.readNamespacedDeployment({ namespace, name: `${name}-sensor` }).catch(() => undefined),
      { message: 'the Sensor Deployment', timeoutMs: 15_000 },
    );
    const pod = deployment.spec?.template.spec;
    const c = pod?.containers[0];
    expect(c?.args).toEqual(['sensor', '-f', '/etc/impulse/spec/object.yaml', '--metrics-port', '9090']);
    expect(c?.env).toEqual([
      { name: 'IMPULSE_SECRETS_DIR', value: '/etc/impulse/secrets' },
      { name: 'IMPULSE_BUS_URL', value: 'nats://bus.example:4222' },
      { name: 'IMPULSE_BUS_NAME', value: 'main' },
    ]);
    expect(c?.ports?.map((p) => p.containerPort)).toEqual([9090]);
    expect(c?.volumeMounts).toEqual([
      { name: 'impulse-spec', mountPath: '/etc/impulse/spec', readOnly: true },
      { name: 'impulse-secret-0', mountPath: '/etc/impulse/secrets/api-token', readOnly: true },
      { name: 'impulse-secret-1', mountPath: '/etc/impulse/secrets/notify-auth', readOnly: true },
    ]);
    expect(pod?.volumes?.slice(1)).toEqual([
      {
        name: 'impulse-secret-0',
        secret: { secretName: 'api-token', items: [{ key: 'token', path: 'token' }], optional: true },
      },
      {
        name: 'impulse-secret-1',
        secret: {
          secretName: 'notify-auth',
          items: [
            { key: 'user', path: 'user' },
            { key: 'password', path: 'password' },
          ],
        },
      },
    ]);
    expect(pod?.serviceAccountName).toBe('deployer');
    expect(pod?.tolerations).toEqual([{ key: 'spot', operator: 'Exists' }]);
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.revisionHistoryLimit).toBe(3);
    expect(deployment.metadata?.ownerReferences).toEqual([
      {
        apiVersion: API_VERSION,
        kind: 'Sensor',
        name,
        uid: created.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const cm = await k.core.readNamespacedConfigMap({ namespace, name: `${name}-sensor-spec` });
    expect(parse(cm.data?.['object.yaml'] ?? '')).toMatchObject({
      kind: 'Sensor',
      metadata: { name },
      spec: sensorSpec(),
    });
    expect(
      (await apiError(k.core.readNamespacedService({ namespace, name: `${name}-sensor-svc` }))).code,
    ).toBe(404);

    const conditions = (await waitFor(async () => {
      const s = (await k.get('Sensor', name)).status;
      return s?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True') ? s.conditions : undefined;
    }))!;
    expect(conditions.map((x) => `${x.type}=${x.status}`)).toEqual([
      'Configured=True',
      'Deployed=True',
      'Available=True',
      'Ready=True',
    ]);
    expect(conditions.find((x) => x.type === 'Configured')?.message).toBe(
      'uses EventBus main at nats://bus.example:4222',
    );
  });

  it('an invalid Sensor gets the validation message as its condition and no Deployment', async () => {
    const name = uniqueName('bad');
    const spec = sensorSpec();
    spec.triggers[1]!.template.name = 'notify';
    await k.apply('Sensor', name, spec);
    const c = await k.condition('Sensor', name, 'Configured', 'False');
    expect(c.reason).toBe('InvalidSpec');
    expect(c.message).toMatch(/^spec\.triggers\[1\]\.template\.name: /);
    expect(
      (await apiError(k.apps.readNamespacedDeployment({ namespace, name: `${name}-sensor` }))).code,
    ).toBe(404);
  });

  it('deleting the Sensor deletes its Deployment and ConfigMap', async () => {
    const name = uniqueName('gone');
    await k.apply('Sensor', name, sensorSpec());
    await k.condition('Sensor', name, 'Deployed', 'True');
    await k.remove('Sensor', name);
    await waitFor(
      async () =>
        (await apiError(k.apps.readNamespacedDeployment({ namespace, name: `${name}-sensor` }))).code === 404,
    );
    await waitFor(
      async () =>
        (await apiError(k.core.readNamespacedConfigMap({ namespace, name: `${name}-sensor-spec` }))).code ===
        404,
    );
  });
});
