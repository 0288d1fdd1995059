import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import { Metrics } from '../../../core/metrics.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import { loadObjects } from '../../../crds/index.ts';
import {
  type CloudEvent,
  createJetStreamBus,
  type EventBus,
  type Subscription,
} from '../../../eventbus/index.ts';
import { type EventSourceHandle, runEventSource } from '../../../eventsources/index.ts';
import { type SensorHandle, startSensor } from '../../../sensors/index.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { REPO_ROOT } from '../../support/paths.ts';
import { freePort } from '../../support/ports.ts';
import { sensorServices } from '../../support/sensor-fixture.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { sign } from '../git-hooks/git-fixture.ts';
import { send } from '../http-client.ts';

/**
 * examples/gitops-on-push as the README runs it: a signed GitHub push to main fires the HTTP
 * trigger with the pushed commit and the clone URL (it calls the EventSource's own /deploy, whose
 * events are read back here). Only the port differs, so the test can run beside others.
 */
const EXAMPLE = join(REPO_ROOT, 'examples/gitops-on-push');
const SECRET = 'change-me';
const busName = testBusName();
let bus: EventBus;
let source: EventSourceHandle;
const sensors: SensorHandle[] = [];
let reader: Subscription;
const deploys: CloudEvent[] = [];
let port: number;

beforeAll(async () => {
  port = await freePort();
  const loaded = await loadObjects([EXAMPLE]);
  const text = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('12001', String(port)));
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  reader = await bus.subscribe({ durable: 'deploys', filterSubject: `${busName}.gitops-on-push.deploy` });
  void (async () => {
    for await (const m of reader) {
      deploys.push(m.event);
      await m.ack();
    }
  })().catch(() => undefined);
  for (const { object } of loaded.sensors) {
    const sensor = await startSensor(text(object), sensorServices(bus));
    sensors.push(sensor);
    await waitFor(() => sensor.health().ok, { message: `sensor ${object.metadata.name} subscribed` });
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

describe('examples/gitops-on-push', () => {
  it('a signed push to main fires the trigger with the commit and the clone URL; other branches and bad signatures do not', async () => {
    const main = await readFile(join(EXAMPLE, 'push-to-main.payload'), 'utf8');
    const payload = JSON.parse(main) as { after: string; repository: { clone_url: string } };
    const other = JSON.stringify({ ...payload, ref: 'refs/heads/feature' });
    expect((await push(main, 'wrong-secret')).status).toBe(403);
    expect((await push(other)).status).toBe(200);
    const answer = await push(main);
    expect(answer.status).toBe(200);

    const deploy = await waitFor(() => deploys[0], {
      timeoutMs: 15_000,
      message: 'the deploy trigger to fire',
    });
    expect((deploy.data as { body: unknown }).body).toEqual({
      revision: payload.after,
      commit: payload.after,
      repoURL: 'https://github.com/Codertocat/Hello-World.git',
      delivery: answer.json.id,
    });
    await staysTrue(() => deploys.length === 1, {
      forMs: 500,
      message: 'one deploy: the feature push filtered out',
    });
  });
});
