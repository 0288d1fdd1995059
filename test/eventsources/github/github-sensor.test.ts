import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJetStreamBus, type EventBus } from '../../../eventbus/index.ts';
import { type SensorHandle, startSensor } from '../../../sensors/index.ts';
import { type HttpSink, startHttpSink } from '../../support/http-sink.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../../support/jetstream.ts';
import { sensorFrom, sensorServices } from '../../support/sensor-fixture.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { type GitFixture, sign, startGitSource } from '../git-hooks/git-fixture.ts';
import { send } from '../http-client.ts';
import { githubExample, pushOfTag, pushToMaster } from './octokit-examples.ts';

/**
 * Real GitHub deliveries (from @octokit/webhooks-examples), signed as GitHub signs them, through a
 * GitHub EventSource onto JetStream and into a running Sensor that filters on `body.ref` and on
 * `headers.X-Github-Event`, as Argo Events users write their Sensors.
 */
const SECRET = 'the-hook-secret';
const busName = testBusName();
let bus: EventBus;
let sink: HttpSink;
let sensor: SensorHandle;
let source: GitFixture;

beforeAll(async () => {
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  sink = await startHttpSink();
  source = await startGitSource({
    bus,
    type: 'github',
    name: 'github',
    config: {
      repositories: [{ owner: 'Codertocat', names: ['Hello-World'] }],
      webhookSecret: { name: 'github-access', key: 'secret' },
      events: ['push', 'pull_request', 'release'],
    },
    env: { IMPULSE_SECRET_GITHUB_ACCESS_SECRET: SECRET },
  });
  const dep = (name: string, event: string, extra = '') =>
    `    - name: ${name}
      eventSourceName: github
      eventName: push
      filters:
        data:
          - {path: headers.X-Github-Event, type: string, value: ["${event}"]}${extra}`;
  sensor = await startSensor(
    sensorFrom(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: github-reader}
spec:
  dependencies:
${dep('push-master', 'push', '\n          - {path: body.ref, type: string, value: ["^refs/heads/master$"]}')}
${dep('pull-request', 'pull_request')}
${dep('release', 'release')}
  triggers:
${['push-master', 'pull-request', 'release']
  .map(
    (d) => `    - template:
        name: ${d}
        conditions: ${d}
        http:
          url: ${sink.url}/${d}
          payload:
            - {src: {dependencyName: ${d}, dataKey: body.X-GitHub-Delivery}, dest: delivery}
            - {src: {dependencyName: ${d}, dataKey: body.repository.full_name}, dest: repo}`,
  )
  .join('\n')}
`),
    sensorServices(bus),
  );
  await waitFor(() => sensor.health().ok, { message: 'the sensor subscribed' });
});

afterAll(async () => {
  await source?.close();
  await sensor?.close();
  await bus?.close();
  await sink?.close();
  await removeBusTraces(busName);
});

function deliver(
  event: string,
  payload: unknown,
  delivery: string,
  options: { secret?: string; form?: boolean } = {},
) {
  const json = JSON.stringify(payload);
  const body = options.form ? `payload=${encodeURIComponent(json)}` : json;
  return send(source.url, {
    headers: {
      'content-type': options.form ? 'application/x-www-form-urlencoded' : 'application/json',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': sign(options.secret ?? SECRET, body),
    },
    body,
  });
}

const fired = (trigger: string) => sink.received.filter((r) => r.path === `/${trigger}`).map((r) => r.json);

describe('GitHub deliveries into a sensor', () => {
  it('fires for correctly signed push (json and form), pull_request and release; refuses wrongly signed ones', async () => {
    const ids = {
      json: randomUUID(),
      form: randomUUID(),
      tag: randomUUID(),
      pr: randomUUID(),
      rel: randomUUID(),
    };
    const wrong = [
      await deliver('push', pushToMaster(), randomUUID(), { secret: 'guess' }),
      await deliver('push', pushToMaster(), randomUUID(), { secret: 'guess', form: true }),
      await deliver('pull_request', githubExample('pull_request'), randomUUID(), { secret: 'guess' }),
      await deliver('release', githubExample('release'), randomUUID(), { secret: 'guess', form: true }),
    ];
    expect(wrong.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    const right = [
      await deliver('push', pushToMaster(), ids.json),
      await deliver('push', pushToMaster(), ids.form, { form: true }),
      await deliver('push', pushOfTag(), ids.tag),
      await deliver(
        'pull_request',
        githubExample('pull_request', (p) => p.action === 'opened'),
        ids.pr,
      ),
      await deliver(
        'release',
        githubExample('release', (p) => p.action === 'published'),
        ids.rel,
        { form: true },
      ),
      await deliver('ping', githubExample('ping'), randomUUID()),
    ];
    expect(right.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);

    await waitFor(
      () =>
        fired('push-master').length === 2 &&
        fired('pull-request').length === 1 &&
        fired('release').length === 1,
      {
        timeoutMs: 15_000,
        message: `the triggers to fire (got ${JSON.stringify(sink.received.map((r) => r.path))})`,
      },
    );
    const repo = 'Codertocat/Hello-World';
    expect(fired('push-master')).toEqual(
      expect.arrayContaining([
        { delivery: ids.json, repo },
        { delivery: ids.form, repo },
      ]),
    );
    expect(fired('pull-request')).toEqual([{ delivery: ids.pr, repo }]);
    expect(fired('release')).toEqual([{ delivery: ids.rel, repo }]);
    // The tag push is stored but fails the body.ref filter; the ping and the refused ones are not stored.
    await staysTrue(() => fired('push-master').length === 2, {
      forMs: 300,
      message: 'the tag push not firing',
    });
    expect(source.events.map((e) => e.id).sort()).toEqual(Object.values(ids).sort());
  });

  it('stores a delivery GitHub sends twice once: the delivery id is the JetStream message id', async () => {
    const delivery = randomUUID();
    const first = await deliver('push', pushToMaster(), delivery);
    const again = await deliver('push', pushToMaster(), delivery);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.json).toEqual({ id: delivery });
    await waitFor(() => fired('push-master').some((r) => (r as { delivery: string }).delivery === delivery), {
      timeoutMs: 15_000,
      message: 'the push to fire',
    });
    // The collector reads every message on the source's subject: one, not two.
    await staysTrue(
      () =>
        source.events.filter((e) => e.id === delivery).length === 1 &&
        fired('push-master').filter((r) => (r as { delivery: string }).delivery === delivery).length === 1,
      { forMs: 500, message: 'one stored event and one firing for the redelivered push' },
    );
  });
});
