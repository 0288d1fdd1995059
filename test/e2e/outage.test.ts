import { setTimeout as pace } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { testBusName } from '../support/jetstream.ts';
import { type NatsServer, startNatsServer } from '../support/nats-server.ts';
import { waitFor } from '../support/wait.ts';
import { forwardingSensor, SpineWorld } from './fixture.ts';

const OUTAGE_MS = 30_000;

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

describe('a bus outage', () => {
  it('answers 503 with Retry-After while NATS is down for 30 s, and delivers again once it is back, without restarts', async () => {
    await world.run('eventsource', await world.write('es.yaml', world.webhookEventSource({ a: '/a' })));
    await world.run('sensor', await world.write('sensor.yaml', forwardingSensor(sink.url)));
    expect((await world.post('/a', { value: 'before' })).status).toBe(200);
    await waitFor(() => sink.received.length === 1, { timeoutMs: 10_000 });

    await nats.stop();
    const outageEnds = Date.now() + OUTAGE_MS;
    const statuses: number[] = [];
    // Keep sending through the whole outage, a few requests a second: every answer must be 503
    // with Retry-After, never a 200 for an event the bus did not store.
    while (Date.now() < outageEnds) {
      const res = await world.post('/a', { value: 'during' });
      statuses.push(res.status);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await pace(250);
    }
    expect(statuses.length).toBeGreaterThan(20);

    await nats.start();
    const res = await waitFor(
      async () => {
        const r = await world.post('/a', { value: 'after' });
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, message: 'the webhook to accept events again' },
    );
    expect(res.status).toBe(200);
    await waitFor(() => sink.received.some((r) => (r.json as { a: string }).a === 'after'), {
      timeoutMs: 20_000,
      message: 'the event sent after the outage to reach the trigger',
    });
    expect(sink.received.filter((r) => (r.json as { a: string }).a === 'during')).toEqual([]);
    expect(world.processes.every((p) => p.child.exitCode === null)).toBe(true);
  }, 90_000);
});
