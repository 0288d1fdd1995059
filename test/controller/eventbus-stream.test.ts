import { jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busAccess } from '../../controller/bus-access.ts';
import { busSettings } from '../../controller/bus-settings.ts';
import { ClusterApi } from '../../controller/cluster-api.ts';
import type { EventBus } from '../../crds/index.ts';
import { startTestEmulator, uniqueName } from '../kube-emulator/fixture.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { startNatsServer } from '../support/nats-server.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/wait.ts';
import { applyCrds, impulseApi, startTestController } from './fixture.ts';

let emulator: KubeEmulator;
let controller: Awaited<ReturnType<typeof startTestController>>;
let namespace: string;
let k: ReturnType<typeof impulseApi>;
const created: string[] = [];

beforeAll(async () => {
  namespace = uniqueName('stream');
  emulator = await startTestEmulator({ namespaces: [namespace] });
  await applyCrds(emulator);
  k = impulseApi(emulator, namespace);
  controller = await startTestController(emulator, { namespace });
});
afterAll(async () => {
  await controller?.close();
  await emulator?.close();
  for (const name of created) await removeBusTraces(name);
});

/** A fresh bus name whose stream is removed after the tests. */
const freshBus = () => {
  const name = testBusName();
  created.push(name);
  return name;
};

async function streamOf(name: string): Promise<StreamConfig | undefined> {
  const nc = await connect({ servers: SHARED_NATS_URL });
  try {
    return (await (await jetstreamManager(nc)).streams.info(name)).config;
  } catch {
    return undefined;
  } finally {
    await nc.close();
  }
}

const streamReady = (name: string, status: 'True' | 'False', reason?: string) =>
  waitFor(
    async () => {
      const c = (await k.get('EventBus', name)).status?.conditions?.find((x) => x.type === 'StreamReady');
      return c?.status === status && (reason === undefined || c.reason === reason) ? c : undefined;
    },
    { timeoutMs: 15_000, message: `EventBus ${name}: StreamReady=${status}${reason ? ` (${reason})` : ''}` },
  );

const HOUR = 60 * 60 * 1000;

describe('controller: the stream of an EventBus', () => {
  it('creates the stream <name> with subjects <name>.> and the defaults on an existing NATS', async () => {
    const name = freshBus();
    await k.apply('EventBus', name, { jetstreamExotic: { url: SHARED_NATS_URL } });
    const condition = await streamReady(name, 'True', 'InSync');
    expect(condition.message).toBe(
      `stream ${name} (subjects ${name}.>) on ${SHARED_NATS_URL} has the settings in status.config`,
    );
    expect(await streamOf(name)).toMatchObject({
      subjects: [`${name}.>`],
      storage: 'file',
      retention: 'limits',
      discard: 'new',
      max_age: nanos(72 * HOUR),
      max_bytes: 1024 ** 3,
      duplicate_window: nanos(5 * 60_000),
      num_replicas: 1,
      max_msgs: -1,
    });
    const bus = await k.get('EventBus', name);
    expect(bus.status?.config?.jetstream?.streamConfig).toEqual({
      retention: 'limits',
      discard: 'new',
      maxAge: '72h',
      maxBytes: 1024 ** 3,
      duplicates: '5m',
      replicas: 1,
      maxMsgs: -1,
      maxMsgSize: -1,
    });
    expect(bus.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect((await k.events(name)).map((e) => [e.reason, e.message])).toContainEqual([
      'StreamCreated',
      `created stream ${name} on ${SHARED_NATS_URL}`,
    ]);
  });

  it('applies a structured streamConfig over the defaults, and a changed maxAge on the next reconcile', async () => {
    const name = freshBus();
    await k.apply('EventBus', name, {
      jetstreamExotic: {
        url: SHARED_NATS_URL,
        streamConfig: { maxAge: '1h', maxBytes: '512MB', maxMsgs: 1000, duplicates: '2m', discard: 'old' },
      },
    });
    await streamReady(name, 'True');
    expect(await streamOf(name)).toMatchObject({
      max_age: nanos(HOUR),
      max_bytes: 512 * 1024 ** 2,
      max_msgs: 1000,
      duplicate_window: nanos(2 * 60_000),
      discard: 'old',
      num_replicas: 1,
    });

    await k.replaceSpec('EventBus', name, (spec) => {
      (spec.jetstreamExotic as { streamConfig: Record<string, unknown> }).streamConfig.maxAge = '3h';
    });
    await waitFor(async () => (await streamOf(name))?.max_age === nanos(3 * HOUR), {
      timeoutMs: 15_000,
      message: 'the new maxAge on the stream',
    });
    expect((await streamOf(name))?.max_msgs).toBe(1000);
    await waitFor(
      async () =>
        ((await k.get('EventBus', name)).status?.config?.jetstream?.streamConfig as { maxAge?: string })
          ?.maxAge === '3h',
      { message: 'status.config with maxAge 3h' },
    );
    await waitFor(async () =>
      (await k.events(name)).some(
        (e) => e.reason === 'StreamUpdated' && e.message === `updated stream ${name}: maxAge`,
      ),
    );
  });

  it("reads Argo Events' YAML string form (enum numbers, 1GB, 1e6, 300s)", async () => {
    const name = freshBus();
    await k.apply('EventBus', name, {
      jetstreamExotic: {
        url: SHARED_NATS_URL,
        streamConfig:
          'maxMsgs: 1e6\nmaxAge: 48h\nmaxBytes: 1GB\nreplicas: 1\nduplicates: 300s\nretention: 0\ndiscard: 0\n',
      },
    });
    await streamReady(name, 'True');
    expect(await streamOf(name)).toMatchObject({
      max_msgs: 1_000_000,
      max_age: nanos(48 * HOUR),
      max_bytes: 1024 ** 3,
      duplicate_window: nanos(5 * 60_000),
      retention: 'limits',
      discard: 'old',
      num_replicas: 1,
    });
    expect((await k.get('EventBus', name)).status?.config?.jetstream?.streamConfig).toMatchObject({
      maxAge: '48h',
      duplicates: '5m',
      discard: 'old',
      maxMsgs: 1_000_000,
    });
  });

  it('a change JetStream cannot make (retention to workqueue) is a condition naming the field and what to do', async () => {
    const name = freshBus();
    await k.apply('EventBus', name, { jetstreamExotic: { url: SHARED_NATS_URL } });
    await streamReady(name, 'True');
    await k.replaceSpec('EventBus', name, (spec) => {
      (spec.jetstreamExotic as Record<string, unknown>).streamConfig = 'retention: workqueue\n';
    });
    const condition = await streamReady(name, 'False', 'StreamSettingFixed');
    expect(condition.message).toBe(
      `spec.jetstreamExotic.streamConfig.retention: stream ${name} has retention limits, and JetStream cannot change it to workqueue on an existing stream; set retention back to limits, or delete the stream (nats stream rm ${name}; its events are lost) so that the controller creates it anew`,
    );
    expect((await streamOf(name))?.retention).toBe('limits');
    expect(controller.health().ok).toBe(true);
  });

  it('a change the server refuses (3 replicas on a single NATS) is a condition with its answer', async () => {
    const name = freshBus();
    await k.apply('EventBus', name, {
      jetstreamExotic: { url: SHARED_NATS_URL, streamConfig: { replicas: 3 } },
    });
    const condition = await streamReady(name, 'False', 'StreamRefused');
    expect(condition.message).toMatch(
      new RegExp(
        `^creating stream ${name}: JetStream refused: .+; change spec\\.jetstreamExotic\\.streamConfig to what this NATS allows$`,
      ),
    );
    expect(await streamOf(name)).toBeUndefined();
  });

  it('an unreachable NATS is StreamReady=False with the reason, retried with backoff until it answers', async () => {
    const name = freshBus();
    const nats = await startNatsServer();
    try {
      await nats.stop();
      await k.apply('EventBus', name, { jetstreamExotic: { url: nats.url } });
      const condition = await streamReady(name, 'False', 'NatsUnreachable');
      expect(condition.message).toMatch(
        new RegExp(`^cannot connect to NATS at ${nats.url}: .+; retrying with backoff$`),
      );
      // A closed port is not the end: the work queue retries, and the stream appears once NATS runs.
      await nats.start();
      await streamReady(name, 'True', 'InSync');
      const nc = await connect({ servers: nats.url });
      try {
        expect((await (await jetstreamManager(nc)).streams.info(name)).config.subjects).toEqual([
          `${name}.>`,
        ]);
      } finally {
        await nc.close();
      }
    } finally {
      await nats.close();
    }
  });

  it('a missing accessSecret is StreamReady=False naming the field', async () => {
    const name = freshBus();
    const port = await freePort();
    await k.apply('EventBus', name, {
      jetstreamExotic: {
        url: `nats://127.0.0.1:${port}`,
        accessSecret: { name: 'absent', key: 'user.creds' },
      },
    });
    const condition = await streamReady(name, 'False', 'SecretMissing');
    expect(condition.message).toBe(
      `spec.jetstreamExotic.accessSecret: Secret ${namespace}/absent does not exist; create it`,
    );
  });

  it('an existing NATS with TLS: the CA, client certificate and key come from their Secrets', async () => {
    const secret = (name: string, data: Record<string, string>) =>
      k.core.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name },
          data: Object.fromEntries(
            Object.entries(data).map(([key, v]) => [key, Buffer.from(v).toString('base64')]),
          ),
        },
      });
    await secret('nats-tls', { 'ca.crt': 'CA PEM', 'tls.crt': 'CERT PEM', 'tls.key': 'KEY PEM' });
    await secret('nats-user', { 'user.creds': 'CREDS' });
    const bus = {
      apiVersion: 'impulse.dev/v1alpha1',
      kind: 'EventBus',
      metadata: { name: 'tls', namespace },
      spec: {
        jetstreamExotic: {
          url: 'tls://nats.example:4222',
          accessSecret: { name: 'nats-user', key: 'user.creds' },
          tls: {
            caCertSecret: { name: 'nats-tls', key: 'ca.crt' },
            clientCertSecret: { name: 'nats-tls', key: 'tls.crt' },
            clientKeySecret: { name: 'nats-tls', key: 'tls.key' },
            insecureSkipVerify: true,
          },
        },
      },
    } satisfies EventBus;
    const api = await ClusterApi.create(emulator.kubeConfig(), 'test', () => false);
    expect(await busAccess(api, namespace, busSettings(bus))).toEqual({
      url: 'tls://nats.example:4222',
      credentials: 'CREDS',
      tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', rejectUnauthorized: false },
    });
  });

  it('a managed bus: the Service URL and the generated credentials; no stream until NATS answers', async () => {
    const name = 'managed';
    await k.apply('EventBus', name, { jetstream: { replicas: 1 } });
    const condition = await streamReady(name, 'False', 'NatsUnreachable');
    const url = `nats://managed-eventbus-nats.${namespace}.svc:4222`;
    expect(condition.message.startsWith(`cannot connect to NATS at ${url}: `)).toBe(true);

    const api = await ClusterApi.create(emulator.kubeConfig(), 'test', () => false);
    const bus = (await k.get('EventBus', name)) as unknown as EventBus;
    const secret = await k.core.readNamespacedSecret({ namespace, name: 'managed-eventbus-nats-auth' });
    const access = await busAccess(api, namespace, busSettings(bus));
    expect(access).toEqual({
      url,
      credentials: Buffer.from(secret.data?.credentials ?? '', 'base64').toString('utf8'),
    });
    expect(access.credentials).toContain('BEGIN NATS USER JWT');
    expect(busSettings(bus).stream).toMatchObject({ resolved: { settings: { replicas: 1 } } });
    expect(busSettings({ ...bus, spec: { jetstream: {} } }).stream).toMatchObject({
      resolved: { settings: { replicas: 3 } },
    });
  });
});
