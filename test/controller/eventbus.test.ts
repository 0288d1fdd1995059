import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, startTestEmulator, uniqueName } from '../kube-emulator/fixture.ts';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { natsServerBinary } from '../support/nats-server.ts';
import { freePort } from '../support/ports.ts';
import { waitFor } from '../support/wait.ts';
import { API_VERSION, applyCrds, impulseApi, startTestController } from './fixture.ts';

const run = promisify(execFile);
let emulator: KubeEmulator;
let controller: Awaited<ReturnType<typeof startTestController>>;
let namespace: string;
let k: ReturnType<typeof impulseApi>;
let dir: string;

beforeAll(async () => {
  namespace = uniqueName('bus');
  dir = await mkdtemp(join(tmpdir(), 'controller-bus-'));
  emulator = await startTestEmulator({ namespaces: [namespace] });
  await applyCrds(emulator);
  k = impulseApi(emulator, namespace);
  controller = await startTestController(emulator, { namespace });
});
afterAll(async () => {
  await controller?.close();
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

const statefulSetOf = (bus: string) =>
  waitFor(
    () =>
      k.apps.readNamespacedStatefulSet({ namespace, name: `${bus}-eventbus-nats` }).catch(() => undefined),
    {
      message: 'the NATS StatefulSet',
    },
  );

/** The server's files laid out as the pod mounts them: /etc/nats-config and /etc/nats-auth. */
async function layOut(bus: string, edit: (config: string) => string = (c) => c): Promise<string> {
  const root = join(dir, uniqueName(bus));
  const cm = await k.core.readNamespacedConfigMap({ namespace, name: `${bus}-eventbus-nats-config` });
  const secret = await k.core.readNamespacedSecret({ namespace, name: `${bus}-eventbus-nats-auth` });
  await mkdir(join(root, 'nats-config'), { recursive: true });
  await mkdir(join(root, 'nats-auth'), { recursive: true });
  await writeFile(join(root, 'nats-config', 'nats.conf'), edit(cm.data?.['nats.conf'] ?? ''));
  await writeFile(
    join(root, 'nats-auth', 'auth.conf'),
    Buffer.from(secret.data?.['auth.conf'] ?? '', 'base64'),
  );
  await writeFile(join(root, 'user.creds'), Buffer.from(secret.data?.credentials ?? '', 'base64'));
  return root;
}

describe('controller: EventBus', () => {
  it('jetstream: an auth Secret, the server configuration, a headless Service and a 3-server StatefulSet, owned by the EventBus', async () => {
    const created = await k.apply('EventBus', 'default', {
      jetstream: { version: '2.10.22', persistence: { volumeSize: '5Gi', storageClassName: 'fast' } },
    });
    const owner = {
      apiVersion: API_VERSION,
      kind: 'EventBus',
      name: 'default',
      uid: created.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    const sts: V1StatefulSet = await statefulSetOf('default');
    expect(sts.metadata?.ownerReferences).toEqual([owner]);
    expect(sts.spec?.replicas).toBe(3);
    expect(sts.spec?.serviceName).toBe('default-eventbus-nats');
    expect(sts.spec?.podManagementPolicy).toBe('Parallel');
    const c = sts.spec?.template.spec?.containers[0];
    expect(c?.image).toBe('nats:2.10.22');
    expect(c?.args).toEqual(['--config', '/etc/nats-config/nats.conf']);
    expect(c?.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ['client', 4222],
      ['cluster', 6222],
      ['monitor', 8222],
    ]);
    expect(c?.livenessProbe?.httpGet?.path).toBe('/healthz?js-enabled-only=true');
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast',
      resources: { requests: { storage: '5Gi' } },
    });
    const svc = await k.core.readNamespacedService({ namespace, name: 'default-eventbus-nats' });
    expect(svc.spec?.clusterIP).toBe('None');
    expect(svc.spec?.publishNotReadyAddresses).toBe(true);
    expect(svc.metadata?.ownerReferences).toEqual([owner]);
    const secret = await k.core.readNamespacedSecret({ namespace, name: 'default-eventbus-nats-auth' });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['auth.conf', 'credentials']);
    expect(secret.metadata?.ownerReferences).toEqual([owner]);
    const cm = await k.core.readNamespacedConfigMap({ namespace, name: 'default-eventbus-nats-config' });
    const config = cm.data?.['nats.conf'] ?? '';
    for (let i = 0; i < 3; i++)
      expect(config).toContain(
        `nats://default-eventbus-nats-${i}.default-eventbus-nats.${namespace}.svc:6222`,
      );
    expect(config).toContain('max_payload: 8MB');

    // nats-server accepts the configuration as the pod sees it.
    const root = await layOut('default');
    const checked = await run(natsServerBinary(), ['-t', '-c', join(root, 'nats-config', 'nats.conf')], {
      env: { ...process.env, POD_NAME: 'default-eventbus-nats-0' },
    });
    expect(checked.stdout + checked.stderr).toContain('is valid');

    await k.condition('EventBus', 'default', 'Available', 'True');
    // The stream is made through the Service, which no NATS serves inside the emulator.
    const stream = await k.condition('EventBus', 'default', 'StreamReady', 'False');
    expect(stream.reason).toBe('NatsUnreachable');
    expect(stream.message).toMatch(
      new RegExp(`^cannot connect to NATS at nats://default-eventbus-nats\\.${namespace}\\.svc:4222: `),
    );
    const status = (await k.get('EventBus', 'default')).status ?? {};
    expect(status.conditions?.find((x) => x.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NatsUnreachable',
    });
    // Processes connect with the generated credentials, mounted from the auth Secret.
    await k.apply('Sensor', 'uses-bus', {
      dependencies: [{ name: 'd', eventSourceName: 'x', eventName: 'y' }],
      triggers: [{ template: { name: 'log', log: {} } }],
    });
    const sensor = await waitFor(
      () => k.apps.readNamespacedDeployment({ namespace, name: 'uses-bus-sensor' }).catch(() => undefined),
      { timeoutMs: 15_000, message: 'the Sensor Deployment on the managed bus' },
    );
    const pod = sensor.spec?.template.spec;
    expect(pod?.containers[0]?.env).toEqual(
      expect.arrayContaining([
        { name: 'IMPULSE_BUS_URL', value: `nats://default-eventbus-nats.${namespace}.svc:4222` },
        { name: 'IMPULSE_BUS_CREDENTIALS_FILE', value: '/etc/impulse/bus/credentials' },
      ]),
    );
    expect(pod?.volumes).toContainEqual({
      name: 'impulse-bus',
      secret: {
        secretName: 'default-eventbus-nats-auth',
        items: [{ key: 'credentials', path: 'credentials' }],
      },
    });
    expect(status.config?.jetstream).toEqual({
      url: `nats://default-eventbus-nats.${namespace}.svc:4222`,
      accessSecret: { name: 'default-eventbus-nats-auth', key: 'credentials' },
      streamConfig: {
        retention: 'limits',
        discard: 'new',
        maxAge: '72h',
        maxBytes: 1073741824,
        duplicates: '5m',
        replicas: 3,
        maxMsgs: -1,
        maxMsgSize: -1,
      },
    });
  });

  it('the generated authorization works: a server with it takes a client with the credentials and refuses one without', async () => {
    await k.apply('EventBus', 'single', { jetstream: { replicas: 1, streamConfig: 'maxAge: 24h\n' } });
    await statefulSetOf('single');
    const [port, monitor] = [await freePort(), await freePort()];
    const root = await layOut('single', (config) =>
      config
        .replace('port: 4222', `port: ${port}`)
        .replace('http_port: 8222', `http_port: ${monitor}`)
        .replace('store_dir: "/data"', `store_dir: "${join(dir, uniqueName('store'))}"`),
    );
    const config = join(root, 'nats-config', 'nats.conf');
    expect(
      await waitFor(async () => (await k.get('EventBus', 'single')).status?.config?.jetstream?.streamConfig),
    ).toMatchObject({ maxAge: '24h', replicas: 1 });
    const server: ChildProcess = spawn(natsServerBinary(), ['-c', config, '-a', '127.0.0.1'], {
      env: { ...process.env, POD_NAME: 'single-eventbus-nats-0' },
      stdio: 'ignore',
    });
    try {
      const nc = await waitFor(
        () =>
          connect({
            servers: `nats://127.0.0.1:${port}`,
            authenticator: credsAuthenticator(readFileSync(join(root, 'user.creds'))),
          }).catch(() => undefined),
        { message: 'a connection with the generated credentials', timeoutMs: 10_000 },
      );
      const jsm = await jetstreamManager(nc);
      const stream = uniqueName('probe');
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
      expect((await jsm.streams.info(stream)).config.name).toBe(stream);
      await nc.close();
      await expect(connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false })).rejects.toThrow(
        /Authorization/i,
      );
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('jetstreamExotic: nothing runs, the status says where the bus is, and a managed NATS from before is removed', async () => {
    await k.apply('EventBus', 'moving', { jetstream: { replicas: 1 } });
    await statefulSetOf('moving');
    await k.replaceSpec('EventBus', 'moving', (spec) => {
      delete spec.jetstream;
      spec.jetstreamExotic = {
        url: 'nats://nats.example:4222',
        accessSecret: { name: 'nats', key: 'user.creds' },
      };
    });
    for (const read of [
      () => k.apps.readNamespacedStatefulSet({ namespace, name: 'moving-eventbus-nats' }),
      () => k.core.readNamespacedService({ namespace, name: 'moving-eventbus-nats' }),
      () => k.core.readNamespacedConfigMap({ namespace, name: 'moving-eventbus-nats-config' }),
      () => k.core.readNamespacedSecret({ namespace, name: 'moving-eventbus-nats-auth' }),
    ])
      await waitFor(async () => (await apiError(read())).code === 404);
    const status = await waitFor(async () => {
      const s = (await k.get('EventBus', 'moving')).status;
      return s?.config?.jetstream?.url === 'nats://nats.example:4222' ? s : undefined;
    });
    expect(status.config?.jetstream?.accessSecret).toEqual({ name: 'nats', key: 'user.creds' });
    expect(status.conditions?.find((x) => x.type === 'Deployed')).toMatchObject({
      status: 'True',
      reason: 'External',
    });
    // Its stream waits for the credentials Secret, which nobody created.
    expect((await k.condition('EventBus', 'moving', 'StreamReady', 'False')).reason).toBe('SecretMissing');
  });

  it('an EventBus with both kinds gets the validation message and nothing is created', async () => {
    await k.apply('EventBus', 'both', { jetstream: {}, jetstreamExotic: { url: 'nats://x:4222' } });
    const c = await k.condition('EventBus', 'both', 'Configured', 'False');
    expect(c.message).toBe(
      'spec: needs exactly one of jetstream (a NATS cluster the controller runs) or jetstreamExotic (an existing NATS)',
    );
    expect(
      (await apiError(k.apps.readNamespacedStatefulSet({ namespace, name: 'both-eventbus-nats' }))).code,
    ).toBe(404);
  });
});
