import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { removeBusTraces, SHARED_NATS_URL, streamMessages, testBusName } from '../support/jetstream.ts';
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

describe('webhook -> JetStream -> sensor -> trigger', () => {
  it('delivers a POSTed event to an HTTP trigger with the parameter value, stored in JetStream between', async () => {
    const source = await world.run(
      'eventsource',
      await world.write('es.yaml', world.webhookEventSource({ a: '/a' })),
    );
    const sensor = await world.run('sensor', await world.write('sensor.yaml', forwardingSensor(sink.url)));

    const res = await world.post('/a', { value: 'hello' });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    await waitFor(() => sink.received.length === 1, {
      timeoutMs: 10_000,
      message: 'the trigger to call the sink',
    });
    expect(sink.received[0]!.json).toEqual({ a: 'hello' });
    expect(sink.received[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    // Stored once, next to the trigger's impulse.trigger.fired outcome event.
    await waitFor(async () => (await streamMessages(world.busName)) === 2, {
      timeoutMs: 5000,
      message: 'the event and its outcome in the stream',
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // Both processes count what they did under Argo Events' metric names.
    const metrics = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(await metrics(source.metricsPort)).toContain(
      'argo_events_events_sent_total{eventsource_name="hooks",event_name="a"} 1',
    );
    await waitFor(
      async () =>
        (await metrics(sensor.metricsPort)).includes(
          'argo_events_action_triggered_total{sensor_name="forward",trigger_name="to-sink"} 1',
        ),
      {
        timeoutMs: 5000,
        message: 'the sensor to count the firing',
      },
    );
  });

  it('keeps every event accepted while the sensor is down, and delivers all of them when it returns', async () => {
    await world.run('eventsource', await world.write('es.yaml', world.webhookEventSource({ a: '/a' })));
    const sensorFile = await world.write('sensor.yaml', forwardingSensor(sink.url));
    const first = await world.run('sensor', sensorFile);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => world.post('/a', { value: `v${i}` })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(100).fill(200));

    await world.run('sensor', sensorFile);
    await waitFor(() => sink.received.length >= 100, { timeoutMs: 20_000, message: '100 deliveries' });
    const values = new Set(sink.received.map((r) => (r.json as { a: string }).a));
    expect(values.size).toBe(100);
  });

  it('fires with both events of an AND when the sensor is killed between them', async () => {
    await world.run(
      'eventsource',
      await world.write('es.yaml', world.webhookEventSource({ a: '/a', b: '/b' })),
    );
    const sensorFile = await world.write(
      'sensor.yaml',
      forwardingSensor(sink.url, { dependencies: ['a', 'b'] }),
    );
    const sensor = await world.run('sensor', sensorFile);

    expect((await world.post('/a', { value: 'first' })).status).toBe(200);
    // The first event is held in KV (and acked) before the sensor dies.
    const nc = await connect({ servers: SHARED_NATS_URL });
    try {
      const kv = await new Kvm(nc).open(`${world.busName}-correlation`);
      await waitFor(
        async () =>
          (await kv.get('default.forward.to-sink'))?.json<{ held: Record<string, unknown> }>().held.a,
        {
          timeoutMs: 10_000,
          message: 'event a to be held',
        },
      );
    } finally {
      await nc.close();
    }
    sensor.kill('SIGKILL');
    await sensor.exited;

    await world.run('sensor', sensorFile);
    expect((await world.post('/b', { value: 'second' })).status).toBe(200);
    await waitFor(() => sink.received.length === 1, { timeoutMs: 10_000, message: 'the AND to fire' });
    expect(sink.received[0]!.json).toEqual({ a: 'first', b: 'second' });
  });

  it('lets a slow trigger finish before exiting on SIGTERM', async () => {
    await world.run('eventsource', await world.write('es.yaml', world.webhookEventSource({ a: '/a' })));
    const sensor = await world.run('sensor', await world.write('sensor.yaml', forwardingSensor(sink.url)));
    let release: (status: number) => void = () => undefined;
    sink.respond = () => new Promise<number>((resolve) => (release = resolve));

    expect((await world.post('/a', { value: 'slow' })).status).toBe(200);
    await waitFor(() => sink.received.length === 1, {
      timeoutMs: 10_000,
      message: 'the trigger request to arrive',
    });
    sensor.kill('SIGTERM');
    await sensor.logged(/stopping: draining/);
    release(200);

    expect(await sensor.exited).toEqual({ code: 0, signal: null });
    const messages = sensor.logs.map((l) => l.msg);
    expect(messages.indexOf('trigger succeeded')).toBeGreaterThan(
      messages.indexOf('stopping: draining in-flight work'),
    );
    expect(messages.indexOf('trigger succeeded')).toBeLessThan(messages.lastIndexOf('stopped'));
  });
});
