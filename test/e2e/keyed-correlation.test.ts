import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import { waitFor } from '../support/wait.ts';
import { SpineWorld } from './fixture.ts';

let world: SpineWorld;
let sink: HttpSink;

beforeEach(async () => {
  world = new SpineWorld(testBusName(), SHARED_NATS_URL);
  await world.setup();
  sink = await startHttpSink();
});
afterEach(async () => {
  await world[Symbol.asyncDispose]();
  await sink.close();
  await removeBusTraces(world.busName);
});

describe('keyed correlation', () => {
  it('fires "tests passed" AND "image pushed" once per commit, with the right pairs, for interleaved commits', async () => {
    await world.run(
      'eventsource',
      await world.write('es.yaml', world.webhookEventSource({ tests: '/tests', image: '/image' })),
    );
    await world.run(
      'sensor',
      await world.write(
        'sensor.yaml',
        `apiVersion: impulse.dev/v1alpha1
kind: Sensor
metadata: {name: release${randomUUID().slice(0, 6)}}
spec:
  correlationWindow: 1h
  dependencies:
    - {name: tests, eventSourceName: hooks, eventName: tests, correlationKey: body.commit}
    - {name: image, eventSourceName: hooks, eventName: image, correlationKey: body.commit}
  triggers:
    - template:
        name: deploy
        http:
          url: ${sink.url}/deploy
          payload:
            - src: {dependencyName: tests, dataKey: body.commit}
              dest: commit
            - src: {dependencyName: tests, dataKey: body.suite}
              dest: suite
            - src: {dependencyName: image, dataKey: body.digest}
              dest: digest
`,
      ),
    );
    const sends: Array<[string, Record<string, string>]> = [
      ['/tests', { commit: 'c1', suite: 'suite-1' }],
      ['/image', { commit: 'c2', digest: 'sha-2' }],
      ['/tests', { commit: 'c3', suite: 'suite-3' }],
      ['/image', { commit: 'c1', digest: 'sha-1' }],
      ['/image', { commit: 'c3', digest: 'sha-3' }],
      ['/tests', { commit: 'c2', suite: 'suite-2' }],
    ];
    for (const [endpoint, body] of sends) expect((await world.post(endpoint, body)).status).toBe(200);
    await waitFor(() => sink.received.length >= 3, { timeoutMs: 10_000, message: 'three firings' });
    const pairs = sink.received
      .map((r) => r.json as Record<string, string>)
      .sort((a, b) => a.commit!.localeCompare(b.commit!));
    expect(pairs).toEqual([
      { commit: 'c1', suite: 'suite-1', digest: 'sha-1' },
      { commit: 'c2', suite: 'suite-2', digest: 'sha-2' },
      { commit: 'c3', suite: 'suite-3', digest: 'sha-3' },
    ]);
    expect(new Set(sink.received.map((r) => r.headers['idempotency-key'])).size).toBe(3);
  }, 30_000);
});
