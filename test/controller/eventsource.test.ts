import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { formatIssue, loadSingle, validateManifests } from '../../crds/index.ts';
import { apiError, startTestEmulator, uniqueName } from '../kube-emulator/fixture.ts';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { waitFor } from '../support/wait.ts';
import { API_VERSION, applyCrds, impulseApi, startTestController, TEST_IMAGE } from './fixture.ts';

let emulator: KubeEmulator;
let controller: Awaited<ReturnType<typeof startTestController>>;
let namespace: string;
let k: ReturnType<typeof impulseApi>;
let dir: string;

beforeAll(async () => {
  namespace = uniqueName('es');
  dir = await mkdtemp(join(tmpdir(), 'controller-es-'));
  emulator = await startTestEmulator({ namespaces: [namespace] });
  await applyCrds(emulator);
  k = impulseApi(emulator, namespace);
  await k.apply('EventBus', 'default', {
    jetstreamExotic: {
      url: 'nats://nats.example:4222',
      accessSecret: { name: 'bus-creds', key: 'user.creds' },
    },
  });
  controller = await startTestController(emulator, { namespace });
});
afterAll(async () => {
  await controller?.close();
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

const deploymentOf = (name: string) =>
  waitFor(
    () => k.apps.readNamespacedDeployment({ namespace, name: `${name}-eventsource` }).catch(() => undefined),
    {
      message: `Deployment ${name}-eventsource`,
      timeoutMs: 15_000,
    },
  );
const container = (d: V1Deployment) => {
  const found = d.spec?.template.spec?.containers[0];
  if (!found) throw new Error('the Deployment has no container');
  return found;
};

const webhookSpec = (endpoint = '/push') => ({
  replicas: 2,
  template: {
    metadata: { labels: { team: 'a' }, annotations: { 'example.com/note': 'x' } },
    serviceAccountName: 'hooks',
    nodeSelector: { disk: 'ssd' },
    container: {
      resources: { requests: { cpu: '50m', memory: '64Mi' } },
      env: [{ name: 'LOG_LEVEL', value: 'debug' }],
    },
  },
  service: { ports: [{ port: 12000, targetPort: 12000 }] },
  webhook: {
    push: { port: '12000', endpoint, method: 'POST', authSecret: { name: 'hook', key: 'token' } },
  },
});

describe('controller: EventSource', () => {
  it('creates the ConfigMap, the Deployment running `impulse eventsource` and the Service, owned by the EventSource', async () => {
    const name = uniqueName('hooks');
    const created = await k.apply('EventSource', name, webhookSpec());
    const uid = created.metadata?.uid;
    const deployment = await deploymentOf(name);
    const c = container(deployment);
    expect(c.image).toBe(TEST_IMAGE);
    expect(c.args).toEqual(['eventsource', '-f', '/etc/impulse/spec/object.yaml', '--metrics-port', '9090']);
    expect(c.env).toEqual([
      { name: 'IMPULSE_SECRETS_DIR', value: '/etc/impulse/secrets' },
      { name: 'IMPULSE_BUS_URL', value: 'nats://nats.example:4222' },
      { name: 'IMPULSE_BUS_NAME', value: 'default' },
      { name: 'IMPULSE_BUS_CREDENTIALS_FILE', value: '/etc/impulse/bus/credentials' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
    expect(c.volumeMounts).toEqual([
      { name: 'impulse-spec', mountPath: '/etc/impulse/spec', readOnly: true },
      { name: 'impulse-bus', mountPath: '/etc/impulse/bus', readOnly: true },
      { name: 'impulse-secret-0', mountPath: '/etc/impulse/secrets/hook', readOnly: true },
    ]);
    const pod = deployment.spec?.template.spec;
    expect(pod?.volumes).toEqual([
      { name: 'impulse-spec', configMap: { name: `${name}-eventsource-spec` } },
      {
        name: 'impulse-bus',
        secret: { secretName: 'bus-creds', items: [{ key: 'user.creds', path: 'credentials' }] },
      },
      { name: 'impulse-secret-0', secret: { secretName: 'hook', items: [{ key: 'token', path: 'token' }] } },
    ]);
    expect(c.ports?.map((p) => p.containerPort)).toEqual([9090, 12000]);
    expect(c.readinessProbe?.httpGet).toMatchObject({ path: '/health', port: 9090 });
    expect(c.resources?.requests).toEqual({ cpu: '50m', memory: '64Mi' });
    expect(pod?.serviceAccountName).toBe('hooks');
    expect(pod?.nodeSelector).toEqual({ disk: 'ssd' });
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.template.metadata?.labels).toMatchObject({ team: 'a', 'impulse.dev/name': name });
    expect(deployment.spec?.template.metadata?.annotations?.['example.com/note']).toBe('x');
    expect(deployment.spec?.template.metadata?.annotations?.['impulse.dev/spec-hash']).toMatch(
      /^[0-9a-f]{16}$/,
    );
    const owner = {
      apiVersion: API_VERSION,
      kind: 'EventSource',
      name,
      uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    expect(deployment.metadata?.ownerReferences).toEqual([owner]);

    // The ConfigMap holds the whole object, which `impulse eventsource -f` loads as it is.
    const cm = await k.core.readNamespacedConfigMap({ namespace, name: `${name}-eventsource-spec` });
    expect(cm.metadata?.ownerReferences).toEqual([owner]);
    const file = parse(cm.data?.['object.yaml'] ?? '');
    expect(file).toMatchObject({
      apiVersion: API_VERSION,
      kind: 'EventSource',
      metadata: { name, namespace, uid },
    });
    expect(file.spec).toEqual(webhookSpec());
    await writeFile(join(dir, `${name}.yaml`), cm.data?.['object.yaml'] ?? '');
    expect((await loadSingle(join(dir, `${name}.yaml`), 'EventSource')).object.metadata.name).toBe(name);

    const service = await k.core.readNamespacedService({ namespace, name: `${name}-eventsource-svc` });
    expect(service.spec?.selector).toEqual({ 'impulse.dev/kind': 'eventsource', 'impulse.dev/name': name });
    expect(service.spec?.ports?.map((p) => [p.port, p.targetPort])).toEqual([[12000, 12000]]);
    expect(service.metadata?.ownerReferences).toEqual([owner]);

    const ready = await k.condition('EventSource', name, 'Ready', 'True');
    const status = (await k.get('EventSource', name)).status;
    const generation = created.metadata?.generation;
    expect(status?.observedGeneration).toBe(generation);
    expect(status?.conditions?.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['Configured', 'True', 'Valid'],
      ['Deployed', 'True', 'Deployed'],
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Ready', 'True', 'Available'],
    ]);
    for (const x of status?.conditions ?? []) {
      expect(x.observedGeneration).toBe(generation);
      expect(Date.parse(x.lastTransitionTime)).not.toBeNaN();
    }
    expect(ready.message).toBe('running as specified');
    const reasons = (await k.events(name)).map((e) => `${e.type} ${e.reason}: ${e.message}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        `Normal Created: created ConfigMap ${name}-eventsource-spec`,
        expect.stringMatching(
          new RegExp(`^Normal Created: created Deployment ${name}-eventsource \\(spec hash [0-9a-f]{16}\\)$`),
        ),
        `Normal Created: created Service ${name}-eventsource-svc`,
      ]),
    );
  });

  it('rolls the pods out when the spec changes: new spec hash, new ConfigMap content, an Updated event', async () => {
    const name = uniqueName('roll');
    await k.apply('EventSource', name, webhookSpec('/v1'));
    await k.condition('EventSource', name, 'Ready', 'True');
    const before = await deploymentOf(name);
    const hash = (d: V1Deployment) => d.spec?.template.metadata?.annotations?.['impulse.dev/spec-hash'];
    await k.replaceSpec('EventSource', name, (spec) => {
      (spec.webhook as { push: { endpoint: string } }).push.endpoint = '/v2';
    });
    const after = await waitFor(async () => {
      const d = await k.apps.readNamespacedDeployment({ namespace, name: `${name}-eventsource` });
      return hash(d) !== hash(before) ? d : undefined;
    });
    expect(hash(after)).toMatch(/^[0-9a-f]{16}$/);
    expect(after.metadata?.generation).toBeGreaterThan(before.metadata?.generation ?? 0);
    const cm = await k.core.readNamespacedConfigMap({ namespace, name: `${name}-eventsource-spec` });
    expect(parse(cm.data?.['object.yaml'] ?? '').spec.webhook.push.endpoint).toBe('/v2');
    await waitFor(async () => (await k.get('EventSource', name)).status?.observedGeneration === 2);
    const events = (await k.events(name)).map((e) => e.message);
    expect(events).toContain(`updated Deployment ${name}-eventsource (spec hash ${hash(after)})`);
  });

  it('an invalid spec gets the message `impulse validate` prints, a Warning event, and no workload', async () => {
    const name = uniqueName('bad');
    const spec = {
      webhook: {
        a: { port: '12000', endpoint: '/same', method: 'POST' },
        b: { port: '12000', endpoint: '/same', method: 'POST' },
      },
    };
    await k.apply('EventSource', name, spec);
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      stringify({ apiVersion: API_VERSION, kind: 'EventSource', metadata: { name }, spec }),
    );
    const { verdicts } = await validateManifests([file]);
    const printed = verdicts[0]!.errors.map((issue) => formatIssue(issue).replace(/^[^:]+:\d+: /, ''));
    expect(printed).toHaveLength(1);

    const configured = await k.condition('EventSource', name, 'Configured', 'False');
    expect(configured).toMatchObject({ reason: 'InvalidSpec', message: printed.join('\n') });
    expect(configured.message).toContain('is already used by');
    expect((await k.condition('EventSource', name, 'Ready', 'False')).reason).toBe('InvalidSpec');
    const warnings = await waitFor(async () => {
      const found = (await k.events(name)).filter((e) => e.type === 'Warning' && e.reason === 'InvalidSpec');
      return found.length > 0 ? found : undefined;
    });
    expect(warnings[0]?.message).toBe(printed.join('\n'));
    for (const read of [
      () => k.apps.readNamespacedDeployment({ namespace, name: `${name}-eventsource` }),
      () => k.core.readNamespacedConfigMap({ namespace, name: `${name}-eventsource-spec` }),
    ])
      expect((await apiError(read())).code).toBe(404);

    // Fixed, it deploys.
    await k.replaceSpec('EventSource', name, (s) => {
      (s.webhook as { b: { endpoint: string } }).b.endpoint = '/other';
    });
    await deploymentOf(name);
    expect((await k.condition('EventSource', name, 'Configured', 'True')).reason).toBe('Valid');
  });

  it('without its EventBus, says so and deploys once the EventBus exists', async () => {
    const name = uniqueName('nobus');
    await k.apply('EventSource', name, { eventBusName: 'later', webhook: webhookSpec().webhook });
    const c = await k.condition('EventSource', name, 'Configured', 'False');
    expect(c).toMatchObject({
      reason: 'EventBusNotFound',
      message: `EventBus ${namespace}/later does not exist; create it`,
    });
    await k.apply('EventBus', 'later', { jetstreamExotic: { url: 'nats://later.example:4222' } });
    const d = await deploymentOf(name);
    expect(container(d).env).toContainEqual({ name: 'IMPULSE_BUS_URL', value: 'nats://later.example:4222' });
    expect(container(d).env).toContainEqual({ name: 'IMPULSE_BUS_NAME', value: 'later' });
    expect(container(d).env?.some((e) => e.name === 'IMPULSE_BUS_CREDENTIALS_FILE')).toBe(false);
  });

  it('deleting the EventSource deletes its Deployment, ConfigMap and Service; removing spec.service deletes the Service', async () => {
    const name = uniqueName('gone');
    await k.apply('EventSource', name, webhookSpec());
    await k.condition('EventSource', name, 'Ready', 'True');
    await k.replaceSpec('EventSource', name, (spec) => {
      delete spec.service;
    });
    await waitFor(
      async () =>
        (await apiError(k.core.readNamespacedService({ namespace, name: `${name}-eventsource-svc` })))
          .code === 404,
    );
    await k.remove('EventSource', name);
    for (const read of [
      () => k.apps.readNamespacedDeployment({ namespace, name: `${name}-eventsource` }),
      () => k.core.readNamespacedConfigMap({ namespace, name: `${name}-eventsource-spec` }),
    ])
      await waitFor(async () => (await apiError(read())).code === 404, { message: 'garbage collection' });
  });
});
