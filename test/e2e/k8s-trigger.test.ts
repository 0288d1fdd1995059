import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asPatch, clients, uniqueName } from '../kube-emulator/fixture.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import { type KubeEmulator, startKubeEmulator } from '../support/kube-emulator/index.ts';
import { ARGO_COMPAT_DIR } from '../support/paths.ts';
import { waitFor } from '../support/wait.ts';
import { registerWorkflowCrd } from '../triggers/k8s/fixture.ts';
import { SpineWorld } from './fixture.ts';

let emulator: KubeEmulator;
let api: ReturnType<typeof clients>;
let world: SpineWorld;
let kubeconfig: string;

beforeAll(async () => {
  emulator = await startKubeEmulator({ controllers: false });
  api = clients(emulator);
  await registerWorkflowCrd(emulator);
});
afterAll(() => emulator.close());
beforeEach(async () => {
  world = new SpineWorld(testBusName(), SHARED_NATS_URL);
  await world.setup();
  kubeconfig = join(world.dir, 'kubeconfig');
  await emulator.writeKubeconfig(kubeconfig);
});
afterEach(async () => {
  await world[Symbol.asyncDispose]();
  await removeBusTraces(world.busName);
});

const runSensor = async (yaml: string) =>
  world.run('sensor', await world.write(`sensor-${uniqueName('s')}.yaml`, yaml), {
    env: { KUBECONFIG: kubeconfig },
  });

const readCm = (name: string) => api.core.readNamespacedConfigMap({ name, namespace: 'default' });

/** A trigger per operation, each fired by its own webhook event, writing `body.value` into the object. */
function lifecycleSensor(name: string): string {
  const trigger = (dep: string, k8s: string) => `    - template:
        name: ${dep}
        conditions: ${dep}
        k8s:
${k8s}
          source:
            resource: {apiVersion: v1, kind: ConfigMap, metadata: {name: placeholder}, data: {}}
          parameters:
            - src: {dependencyName: ${dep}, dataKey: body.name}
              dest: metadata.name
            - src: {dependencyName: ${dep}, dataKey: body.value}
              dest: data.${dep}`;
  const ops: Array<[string, string]> = [
    ['create', '          operation: create'],
    ['update', '          operation: update'],
    ['merge', '          operation: patch\n          patchStrategy: application/merge-patch+json'],
    [
      'strategic',
      '          operation: patch\n          patchStrategy: application/strategic-merge-patch+json',
    ],
    ['json', '          operation: patch\n          patchStrategy: application/json-patch+json'],
    ['apply', '          operation: patch\n          patchStrategy: application/apply-patch+yaml'],
    ['delete', '          operation: delete'],
  ];
  return `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: ${name}}
spec:
  dependencies:
${ops.map(([d]) => `    - {name: ${d}, eventSourceName: hooks, eventName: ${d}}`).join('\n')}
  triggers:
${ops.map(([d, k8s]) => trigger(d, k8s)).join('\n')}
`;
}

describe('webhook -> sensor -> k8s trigger against the emulator', () => {
  it('creates, updates, patches with each strategy and deletes, with values from the events', async () => {
    const endpoints = ['create', 'update', 'merge', 'strategic', 'json', 'apply', 'delete'];
    await world.run(
      'eventsource',
      await world.write(
        'es.yaml',
        world.webhookEventSource(Object.fromEntries(endpoints.map((e) => [e, `/${e}`]))),
      ),
    );
    await runSensor(lifecycleSensor('lifecycle'));
    const name = uniqueName('cm');
    const step = async (endpoint: string, value: string, expected: Record<string, string>) => {
      expect((await world.post(`/${endpoint}`, { name, value })).status).toBe(200);
      await waitFor(async () => JSON.stringify((await readCm(name)).data) === JSON.stringify(expected), {
        timeoutMs: 10_000,
        message: `${endpoint} to leave ${JSON.stringify(expected)}`,
      });
    };
    await step('create', 'c', { create: 'c' });
    expect((await readCm(name)).metadata?.labels).toMatchObject({
      'events.argoproj.io/sensor': 'lifecycle',
      'events.argoproj.io/trigger': 'create',
      'impulse.dev/firing-id': expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    await step('update', 'u', { create: 'c', update: 'u' });
    await step('merge', 'm', { create: 'c', update: 'u', merge: 'm' });
    await step('strategic', 's', { create: 'c', update: 'u', merge: 'm', strategic: 's' });
    await step('json', 'j', { create: 'c', update: 'u', merge: 'm', strategic: 's', json: 'j' });
    await step('apply', 'a', { create: 'c', update: 'u', merge: 'm', strategic: 's', json: 'j', apply: 'a' });
    expect((await world.post('/delete', { name, value: 'd' })).status).toBe(200);
    await waitFor(
      async () =>
        !(await api.core.listNamespacedConfigMap({ namespace: 'default' })).items.some(
          (c) => c.metadata?.name === name,
        ),
      { timeoutMs: 10_000, message: 'the delete' },
    );
  });

  it('reports a server-side apply conflict clearly and dead-letters it without retrying', async () => {
    const name = uniqueName('ssa');
    await api.core.patchNamespacedConfigMap(
      {
        name,
        namespace: 'default',
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { apply: 'theirs' } },
        fieldManager: 'helm',
      },
      asPatch.apply,
    );
    await world.run(
      'eventsource',
      await world.write('es.yaml', world.webhookEventSource({ apply: '/apply' })),
    );
    const sensor = await runSensor(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: conflict}
spec:
  dependencies: [{name: apply, eventSourceName: hooks, eventName: apply}]
  triggers:
    - template:
        name: apply
        k8s:
          operation: patch
          patchStrategy: application/apply-patch+yaml
          source:
            resource: {apiVersion: v1, kind: ConfigMap, metadata: {name: placeholder}, data: {}}
          parameters:
            - src: {dependencyName: apply, dataKey: body.name}
              dest: metadata.name
            - src: {dependencyName: apply, dataKey: body.value}
              dest: data.apply
      retryStrategy: {steps: 3, duration: 50ms}
`);
    await world.post('/apply', { name, value: 'ours' });
    const line = await sensor.logged(/sent to the dead-letter stream/, 10_000);
    expect(line.attempts).toBe(1);
    expect(String(line.err)).toContain('conflicts: "helm" owns .data.apply, with different values');
    expect(String(line.err)).toContain('set forceConflicts: true');
    expect(sensor.logs.some((l) => l.msg === 'trigger failed; retrying')).toBe(false);
    expect((await readCm(name)).data).toEqual({ apply: 'theirs' });
  });

  it('retries a transient failure under retryStrategy, and dead-letters a permanent one at once', async () => {
    let asked = 0;
    const server = createServer((_req, res) => {
      asked++;
      if (asked < 3) return void res.writeHead(503).end('busy');
      res
        .writeHead(200)
        .end(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: from-url-\ndata:\n  from: url\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cm.yaml`;
    try {
      await world.run(
        'eventsource',
        await world.write('es.yaml', world.webhookEventSource({ a: '/a', b: '/b' })),
      );
      const sensor = await runSensor(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: retries}
spec:
  dependencies:
    - {name: a, eventSourceName: hooks, eventName: a}
    - {name: b, eventSourceName: hooks, eventName: b}
  triggers:
    - template:
        name: flaky-url
        conditions: a
        k8s:
          source: {url: {path: "${url}"}}
      retryStrategy: {steps: 5, duration: 50ms}
    - template:
        name: invalid
        conditions: b
        k8s:
          source: {resource: {apiVersion: v1, kind: ConfigMap, metadata: {name: placeholder}}}
          parameters:
            - src: {dependencyName: b, dataKey: body.name}
              dest: metadata.name
      retryStrategy: {steps: 5, duration: 50ms}
`);
      await world.post('/a', {});
      await waitFor(
        async () =>
          (await api.core.listNamespacedConfigMap({ namespace: 'default' })).items.some(
            (c) => c.data?.from === 'url',
          ),
        { timeoutMs: 10_000, message: 'the object from the URL' },
      );
      expect(asked).toBe(3);
      expect(
        sensor.logs.filter(
          (l) => l.msg === 'trigger failed; retrying' && l.err && String(l.err).includes('503'),
        ),
      ).toHaveLength(2);

      await world.post('/b', { name: 'Not_A_Valid_Name' });
      const line = await sensor.logged(/sent to the dead-letter stream/, 10_000);
      expect(line).toMatchObject({ attempts: 1, code: 'PERMANENT' });
      expect(String(line.err)).toMatch(/^create v1 ConfigMap default\/Not_A_Valid_Name: 422 Invalid/);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});

describe("Argo Events' example sensors run against the emulator", () => {
  const compat = (file: string) => join(ARGO_COMPAT_DIR, 'sensors', file);
  const webhookSource = () => `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: webhook}
spec:
  webhook:
    example: {port: "${world.port}", endpoint: /example, method: POST}
`;

  it('webhook.yaml, trigger-standard-k8s-resource.yaml and special-workflow-trigger.yaml create their objects', async () => {
    await world.run('eventsource', await world.write('es.yaml', webhookSource()));
    const env = { env: { KUBECONFIG: kubeconfig } };
    await Promise.all(
      ['webhook.yaml', 'trigger-standard-k8s-resource.yaml', 'special-workflow-trigger.yaml'].map((f) =>
        world.run('sensor', compat(f), env),
      ),
    );
    const body = { message: 'hi from the webhook' };
    expect((await world.post('/example', body)).status).toBe(200);

    const workflows = async () =>
      (
        (await api.custom.listNamespacedCustomObject({
          group: 'argoproj.io',
          version: 'v1alpha1',
          plural: 'workflows',
          namespace: 'default',
        })) as {
          items: Array<{
            metadata: { name: string; labels: Record<string, string> };
            spec: { arguments: { parameters: Array<{ value: string }> } };
          }>;
        }
      ).items;
    await waitFor(async () => (await workflows()).length === 2, {
      timeoutMs: 15_000,
      message: 'two Workflows',
    });
    const byName = Object.fromEntries(
      (await workflows()).map((w) => [
        w.metadata.name.startsWith('webhook-') ? 'webhook' : w.metadata.name,
        w,
      ]),
    );
    expect(byName.webhook!.metadata.labels['events.argoproj.io/sensor']).toBe('webhook');
    expect(JSON.parse(byName.webhook!.spec.arguments.parameters[0]!.value)).toEqual(body);
    expect(JSON.parse(byName['special-trigger']!.spec.arguments.parameters[0]!.value)).toEqual(body);

    const pods = await waitFor(
      async () => {
        const items = (await api.core.listNamespacedPod({ namespace: 'default' })).items;
        return items.find((p) => p.metadata?.name?.startsWith('hello-world-'));
      },
      { timeoutMs: 15_000, message: 'the hello-world Pod' },
    );
    expect(JSON.parse(pods.spec!.containers[0]!.args![0]!)).toEqual(body);
    expect(pods.metadata?.labels?.['events.argoproj.io/trigger']).toBe('webhook-pod-trigger');
  }, 60_000);
});
