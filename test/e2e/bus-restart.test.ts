import { randomUUID } from 'node:crypto';
import { setTimeout as pace } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { testBusName } from '../support/jetstream.ts';
import { type NatsServer, startNatsServer } from '../support/nats-server.ts';
import { waitFor } from '../support/wait.ts';
import { forwardingSensor, SpineWorld } from './fixture.ts';

/** Longer than the 4 s after which a sensor that cannot renew its lease stops acting. */
const OUTAGE_MS = 8000;
const EVENTS = 300;

let nats: NatsServer;
let world: SpineWorld;
let sink: HttpSink;

beforeEach(async () => {
  nats = await startNatsServer();
  world = new SpineWorld(testBusName(), nats.url);
  await world.setup();
  sink = await startHttpSink();
});
afterEach(async () => {
  await world[Symbol.asyncDispose]();
  await sink.close();
  await nats.close();
});

describe('NATS stopped and started mid-stream', () => {
  it('loses no accepted event and restarts no process', async () => {
    await world.run('eventsource', await world.write('es.yaml', world.webhookEventSource({ a: '/a' })));
    await world.run(
      'sensor',
      await world.write(
        'sensor.yaml',
        forwardingSensor(sink.url, { name: `restart${randomUUID().slice(0, 6)}` }),
      ),
    );
    const pids = world.processes.map((p) => p.child.pid);
    let accepted = 0;
    let rejected = 0;
    // Each event is sent until the webhook accepts it, as a provider retries a 503.
    const sending = (async () => {
      for (let i = 0; i < EVENTS; i++) {
        for (;;) {
          const res = await world.post('/a', { value: `v${i}` }).catch(() => undefined);
          if (res?.status === 200) break;
          rejected++;
          await pace(100);
        }
        accepted++;
        if (i % 10 === 9) await pace(20);
      }
    })();
    await waitFor(() => accepted >= 100, { timeoutMs: 20_000, message: '100 accepted events' });
    await nats.stop();
    await pace(OUTAGE_MS);
    await nats.start();
    await sending;

    await waitFor(() => new Set(sink.received.map((r) => (r.json as { a: string }).a)).size === EVENTS, {
      timeoutMs: 60_000,
      intervalMs: 200,
      message: `all ${EVENTS} accepted events at the sink`,
    });
    expect(rejected).toBeGreaterThan(0);
    expect(world.processes.map((p) => p.child.pid)).toEqual(pids);
    expect(world.processes.every((p) => p.child.exitCode === null && p.child.signalCode === null)).toBe(true);
    const sensor = world.processes[1]!;
    expect(sensor.logs.some((l) => /lost the sensor lease/.test(String(l.msg)))).toBe(true);
    await sensor.healthy(20_000);
  }, 120_000);
});
