import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import { Metrics } from '../../../core/metrics.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import { loadObjects, type Sensor } from '../../../crds/index.ts';
import {
  type CloudEvent,
  createJetStreamBus,
  type EventBus,
  type Subscription,
} from '../../../eventbus/index.ts';
import { type EventSourceHandle, runEventSource } from '../../../eventsources/index.ts';
import { type SensorHandle, startSensor } from '../../../sensors/index.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';
import { freePort } from '../../support/ports.ts';
import { sensorServices } from '../../support/sensor-fixture.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { deployment, GitRepo } from '../../triggers/gitops/e2e-world.ts';
import { sign } from '../git-hooks/git-fixture.ts';
import { send } from '../http-client.ts';

/**
 * examples/gitops-on-push as the README runs it: a signed GitHub push to main makes the gitops
 * trigger sync the pushed commit of the pushed repository. Here the payload's repository is a local
 * one (its clone_url and after point at a real commit), the cluster is the Kubernetes emulator, and
 * the port differs, so the test can run beside others.
 */
const EXAMPLE = join(REPO_ROOT, 'examples/gitops-on-push');
const SECRET = 'change-me';
const busName = testBusName();
let bus: EventBus;
let source: EventSourceHandle;
const sensors: SensorHandle[] = [];
let reader: Subscription;
const outcomes: CloudEvent[] = [];
let port: number;
let kube: KubeEmulator;
let repo: GitRepo;
let dir: string;

beforeAll(async () => {
  port = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'impulse-gitops-on-push-'));
  kube = await startKubeEmulator({ controllers: { readyDelayMs: 200, jobDurationMs: 500 } });
  const kubeconfig = join(dir, 'kubeconfig');
  await kube.writeKubeconfig(kubeconfig);
  repo = await GitRepo.create();
  const loaded = await loadObjects([EXAMPLE]);
  const text = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('12001', String(port)));
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  reader = await bus.subscribe({ durable: 'outcomes', filterSubject: `${busName}._outcomes.>` });
  void (async () => {
    for await (const m of reader) {
      outcomes.push(m.event);
      await m.ack();
    }
  })().catch(() => undefined);
  for (const { object } of loaded.sensors) {
    const sensor = text(object as Sensor);
    // The emulator is the cluster; short pauses between waves keep the test quick.
    for (const trigger of sensor.spec.triggers) {
      if (trigger.template.gitops) Object.assign(trigger.template.gitops, { kubeconfig, waveDelay: '100ms' });
    }
    const handle = await startSensor(sensor, sensorServices(bus));
    sensors.push(handle);
    await waitFor(() => handle.health().ok, { message: `sensor ${object.metadata.name} subscribed` });
  }
  source = await runEventSource(text(loaded.eventSources[0]!.object), {
    bus,
    logger: silentLogger(),
    metrics: new Metrics(),
    secrets: createSecretResolver({ env: { IMPULSE_SECRET_GITHUB_WEBHOOK_SECRET: SECRET } }),
    host: '127.0.0.1',
    leases: false,
  });
});

afterAll(async () => {
  await source?.close();
  for (const s of sensors) await s.close();
  await reader?.close();
  await bus?.close();
  await removeBusTraces(busName);
  await kube?.close();
  await repo?.[Symbol.asyncDispose]();
  await rm(dir, { recursive: true, force: true });
});

async function push(body: string, secret = SECRET) {
  return send(`http://127.0.0.1:${port}/github`, {
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': sign(secret, body),
    },
    body,
  });
}

const ofType = (type: string) =>
  outcomes.filter((e) => e.type === type) as Array<CloudEvent & { data: Record<string, unknown> }>;

describe('examples/gitops-on-push', () => {
  it('a signed push to main syncs the pushed commit; other branches and bad signatures do not', async () => {
    const commit = await repo.commit({ 'web.yaml': deployment({ name: 'web', image: 'web:1' }) });
    const example = JSON.parse(await readFile(join(EXAMPLE, 'push-to-main.payload'), 'utf8')) as {
      after: string;
      repository: { clone_url: string };
    };
    const main = JSON.stringify({
      ...example,
      after: commit,
      repository: { ...example.repository, clone_url: repo.url },
    });
    const other = JSON.stringify({ ...JSON.parse(main), ref: 'refs/heads/feature' });
    expect((await push(main, 'wrong-secret')).status).toBe(403);
    expect((await push(other)).status).toBe(200);
    expect((await push(main)).status).toBe(200);

    const synced = await waitFor(() => ofType('impulse.sync.succeeded')[0], {
      timeoutMs: 30_000,
      intervalMs: 100,
      message: 'the sync of the pushed commit',
    });
    expect(synced.data).toMatchObject({
      app: 'deploy-config',
      revision: commit,
      phase: 'Succeeded',
      healthStatus: 'Healthy',
    });
    const apps = kube.kubeConfig().makeApiClient(AppsV1Api);
    const web = await apps.readNamespacedDeployment({ name: 'web', namespace: 'deploy-config' });
    expect(web.spec?.template.spec?.containers[0]?.image).toBe('web:1');
    expect(web.metadata?.labels?.['impulse.dev/app']).toBe('deploy-config');
    await staysTrue(() => ofType('impulse.sync.started').length === 1, {
      forMs: 500,
      message: 'one sync: the feature push filtered out',
    });
  });
});
