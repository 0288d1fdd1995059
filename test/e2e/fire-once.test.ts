import { randomUUID } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import { waitFor } from '../support/wait.ts';
import { forwardingSensor, SpineWorld } from './fixture.ts';

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

/** A sensor with a unique name (leases are per namespace and name) forwarding `body.value`. */
function sensorYaml(name: string, dependencies: string[]): string {
  return forwardingSensor(sink.url, {
    name,
    dependencies,
    trigger: '      retryStrategy: {steps: 3, duration: 50ms}',
  });
}

async function correlationEntry(key: string) {
  const nc = await connect({ servers: SHARED_NATS_URL });
  try {
    const kv = await new Kvm(nc).open(`${world.busName}-correlation`);
    const entry = await kv.get(key);
    return entry?.operation === 'PUT'
      ? entry.json<{ held: Record<string, unknown>; firings: Record<string, unknown> }>()
      : undefined;
  } finally {
    await nc.close();
  }
}

describe('fire once', () => {
  it('delivers every one of 1,000 events under exactly 1,000 keys when the sensor is killed midway', async () => {
    const name = `once${randomUUID().slice(0, 6)}`;
    await world.run('eventsource', await world.write('es.yaml', world.webhookEventSource({ a: '/a' })));
    const sensorFile = await world.write('sensor.yaml', sensorYaml(name, ['a']));
    const sensor = await world.run('sensor', sensorFile);
    // A sink slow enough that requests are in flight when the sensor dies.
    sink.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 5));

    const sending = (async () => {
      for (let i = 0; i < 1000; i += 20) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, j) => world.post('/a', { value: `v${i + j}` })),
        );
        expect(answers.every((r) => r.status === 200)).toBe(true);
      }
    })();
    await waitFor(() => sink.received.length >= 300, { timeoutMs: 20_000, message: '300 deliveries' });
    sensor.kill('SIGKILL');
    await sensor.exited;
    const atKill = sink.received.length;
    await world.run('sensor', sensorFile);
    await sending;

    await waitFor(() => new Set(sink.received.map((r) => (r.json as { a: string }).a)).size === 1000, {
      timeoutMs: 30_000,
      message: 'all 1,000 events at the sink',
    });
    const keyOf = new Map<string, string>();
    for (const r of sink.received) {
      const value = (r.json as { a: string }).a;
      const key = String(r.headers['idempotency-key']);
      expect(keyOf.get(key) ?? value).toBe(value);
      keyOf.set(key, value);
    }
    expect(keyOf.size).toBe(1000);
    expect(atKill).toBeLessThan(1000);
  }, 90_000);

  it('completes a firing interrupted between started and done once, after a restart', async () => {
    const name = `resume${randomUUID().slice(0, 6)}`;
    await world.run(
      'eventsource',
      await world.write('es.yaml', world.webhookEventSource({ a: '/a', b: '/b' })),
    );
    const sensorFile = await world.write('sensor.yaml', sensorYaml(name, ['a', 'b']));
    const sensor = await world.run('sensor', sensorFile);
    const answered: number[] = [];
    // The first request hangs until the sensor is gone; later ones succeed.
    let hang: ((status: number) => void) | undefined;
    sink.respond = (_req, index) => {
      if (index === 0) return new Promise<number>((resolve) => (hang = resolve));
      answered.push(index);
      return 200;
    };
    expect((await world.post('/a', { value: 'first' })).status).toBe(200);
    expect((await world.post('/b', { value: 'second' })).status).toBe(200);
    await waitFor(() => sink.received.length === 1, { timeoutMs: 10_000, message: 'the firing to start' });
    const key = `default.${name}.to-sink`;
    expect(Object.keys((await correlationEntry(key))?.firings ?? {})).toHaveLength(1);
    sensor.kill('SIGKILL');
    await sensor.exited;
    hang?.(500);

    await world.run('sensor', sensorFile);
    await waitFor(() => answered.length === 1, { timeoutMs: 15_000, message: 'the resumed firing' });
    await waitFor(async () => Object.keys((await correlationEntry(key))?.firings ?? {}).length === 0, {
      timeoutMs: 5000,
      message: 'the firing record to be done',
    });
    expect(sink.received).toHaveLength(2);
    expect(sink.received[1]!.json).toEqual({ a: 'first', b: 'second' });
    expect(sink.received[1]!.headers['idempotency-key']).toBe(sink.received[0]!.headers['idempotency-key']);
    expect((await correlationEntry(key))?.held).toEqual({});
    // A lone b now waits: the firing used up the first pair.
    expect((await world.post('/b', { value: 'third' })).status).toBe(200);
    await waitFor(async () => (await correlationEntry(key))?.held.b, { timeoutMs: 5000, message: 'b held' });
    expect(sink.received).toHaveLength(2);
  }, 60_000);
});
