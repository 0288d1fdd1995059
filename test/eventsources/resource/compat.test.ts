import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import { Metrics } from '../../../core/metrics.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import {
  type CloudEvent,
  createJetStreamBus,
  type EventBus,
  type Subscription,
} from '../../../eventbus/index.ts';
import { type EventSourceHandle, runEventSource } from '../../../eventsources/index.ts';
import { createResourceSource } from '../../../eventsources/resource/index.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { ARGO_COMPAT_DIR } from '../../support/paths.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { eventSourceFrom } from '../bus-fixture.ts';

/**
 * Argo Events' resource example, unchanged, run against the emulator (namespace argo-events, the
 * Workflow CRD registered) through the runner and the real dispatch to JetStream; and its
 * commented-out variants, uncommented, load too.
 */
const busName = testBusName();
let bus: EventBus;
let emulator: KubeEmulator;
let reader: Subscription;
const events: CloudEvent[] = [];

beforeAll(async () => {
  emulator = await startKubeEmulator({ controllers: false, namespaces: ['argo-events'] });
  await emulator
    .kubeConfig()
    .makeApiClient(ApiextensionsV1Api)
    .createCustomResourceDefinition({
      body: {
        metadata: { name: 'workflows.argoproj.io' },
        spec: {
          group: 'argoproj.io',
          scope: 'Namespaced',
          names: { plural: 'workflows', singular: 'workflow', kind: 'Workflow' },
          versions: [
            {
              name: 'v1alpha1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
            },
          ],
        },
      },
    });
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  reader = await bus.subscribe({ durable: 'reader', filterSubject: `${busName}.>` });
  void (async () => {
    for await (const m of reader) {
      events.push(m.event);
      await m.ack();
    }
  })().catch(() => undefined);
});
afterAll(async () => {
  await reader?.close();
  await bus?.close();
  await removeBusTraces(busName);
  await emulator?.close();
});

const example = () => readFile(join(ARGO_COMPAT_DIR, 'event-sources/resource.yaml'), 'utf8');

describe('Argo Events resource example', () => {
  it('runs unchanged: a labelled Workflow created after the start is published, others are not', async () => {
    const object = eventSourceFrom(await example());
    const kc = emulator.kubeConfig();
    const handle: EventSourceHandle = await runEventSource(object, {
      bus,
      logger: silentLogger(),
      metrics: new Metrics(),
      secrets: createSecretResolver({ env: {} }),
      leases: false,
      registry: { resource: (init) => createResourceSource(init, { kubeConfig: async () => kc }) },
    });
    try {
      const custom = kc.makeApiClient(CustomObjectsApi);
      const workflow = (name: string, labels: Record<string, string>) =>
        custom.createNamespacedCustomObject({
          group: 'argoproj.io',
          version: 'v1alpha1',
          namespace: 'argo-events',
          plural: 'workflows',
          body: {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Workflow',
            metadata: { name, labels },
            spec: {},
          },
        });
      await workflow('other', { app: 'something-else' });
      await workflow('mine', { app: 'my-workflow' });
      await waitFor(() => events.length > 0, { message: 'the Workflow event on the bus' });
      await staysTrue(() => events.length === 1, { forMs: 300 });
      const [event] = events;
      expect(event).toMatchObject({ type: 'resource', source: 'resource', subject: 'example' });
      expect(event!.data).toMatchObject({
        type: 'ADD',
        group: 'argoproj.io',
        version: 'v1alpha1',
        resource: 'workflows',
        oldBody: null,
        body: { kind: 'Workflow', metadata: { name: 'mine', namespace: 'argo-events' } },
      });
    } finally {
      await handle.close();
    }
  });

  it('its commented-out variants load once uncommented', async () => {
    const text = (await example()).replace(/^#(?=\s)/gm, '');
    const object = eventSourceFrom(text);
    const events = Object.keys((object.spec as { resource: Record<string, unknown> }).resource);
    expect(events).toEqual([
      'example',
      'example-with-prefix-filter',
      'example-with-created-by-filter',
      'example-with-multi-filters',
      'example-without-namespace',
    ]);
  });
});
