import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { createMqttSource } from '../../../eventsources/mqtt/index.ts';
import { type Mosquitto, startMosquitto } from '../../support/mosquitto.ts';
import { uniqueName } from '../../support/unique.ts';
import { waitFor, within } from '../../support/wait.ts';
import { busWorld, eventSourceFrom } from '../bus-fixture.ts';
import { recording, sourceInit } from '../source-fixture.ts';

let broker: Mosquitto;
let publisher: MqttClient;
beforeAll(async () => {
  broker = await startMosquitto();
  publisher = await connectAsync(broker.url);
});
afterAll(async () => {
  await publisher.endAsync();
  await broker.close();
});

function mqttSource(extra: Record<string, unknown>) {
  return createMqttSource(
    sourceInit('mqtt', {
      url: `tcp://127.0.0.1:${broker.port}`,
      topic: 'x',
      clientId: uniqueName('c'),
      ...extra,
    }),
  );
}

describe('mqtt source', () => {
  it('hands over {topic, messageId, body} for a wildcard topic, with a JSON body', async () => {
    const base = uniqueName('sensors');
    const rec = recording();
    const running = mqttSource({
      topic: `${base}/+/temp`,
      jsonBody: true,
      qos: 1,
      metadata: { site: 'a' },
    }).start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await publisher.publishAsync(`${base}/kitchen/temp`, '{"c":21.5}', { qos: 1 });
    await waitFor(() => rec.events.length === 1);
    const payload = rec.events[0]!.payload as { topic: string; messageId: number; body: unknown };
    expect(payload).toEqual({
      topic: `${base}/kitchen/temp`,
      messageId: expect.any(Number),
      body: { c: 21.5 },
      metadata: { site: 'a' },
    });
    expect(payload.messageId).toBeGreaterThan(0);
    // The event id is a UUIDv7, never the reusable packet id.
    expect(rec.events[0]!.options?.id).toBeUndefined();
    rec.stop();
    await within(running, 5000);
  });

  it('at QoS 0 sends messageId 0 and a text body, and counts messages the bus cannot take as dropped', async () => {
    const topic = uniqueName('plain');
    const rec = recording();
    const running = mqttSource({ topic }).start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await publisher.publishAsync(topic, 'hi there');
    await waitFor(() => rec.events.length === 1);
    expect(rec.events[0]!.payload).toEqual({ topic, messageId: 0, body: 'hi there' });
    rec.ctx.dispatch = async () => {
      throw new ImpulseError('BUS_UNAVAILABLE', 'away');
    };
    await publisher.publishAsync(topic, 'lost');
    await waitFor(() => rec.dropped === 1);
    rec.stop();
    await within(running, 5000);
  });

  it('at QoS 1 keeps the session: messages published while the source is stopped arrive when it starts again', async () => {
    const topic = uniqueName('kept');
    const clientId = uniqueName('session');
    const first = recording();
    const running = mqttSource({ topic, clientId, qos: 1 }).start(first.ctx);
    await waitFor(() => first.readyCalls > 0);
    first.stop();
    await within(running, 5000);
    for (const n of [1, 2, 3]) await publisher.publishAsync(topic, String(n), { qos: 1 });
    const second = recording();
    const running2 = mqttSource({ topic, clientId, qos: 1 }).start(second.ctx);
    await waitFor(() => second.events.length === 3);
    expect(second.events.map((e) => (e.payload as { body: string }).body)).toEqual(['1', '2', '3']);
    second.stop();
    await within(running2, 5000);
  });

  it('at QoS 1 acknowledges only stored messages: one held when the source stops comes back', async () => {
    const topic = uniqueName('held');
    const clientId = uniqueName('session');
    const first = recording();
    first.ctx.dispatch = async () => {
      throw new ImpulseError('BUS_UNAVAILABLE', 'away');
    };
    let attempts = 0;
    const dispatch = first.ctx.dispatch;
    first.ctx.dispatch = async (p, o) => {
      attempts++;
      return dispatch(p, o);
    };
    const running = mqttSource({ topic, clientId, qos: 1 }).start(first.ctx);
    await waitFor(() => first.readyCalls > 0);
    await publisher.publishAsync(topic, 'again', { qos: 1 });
    await waitFor(() => attempts >= 2, { message: 'the held message retried' });
    first.stop();
    await within(running, 5000);

    const second = recording();
    const running2 = mqttSource({ topic, clientId, qos: 1 }).start(second.ctx);
    await waitFor(() => second.events.length === 1);
    expect((second.events[0]!.payload as { body: string }).body).toBe('again');
    second.stop();
    await within(running2, 5000);
  });
});

describe('mqtt source (QoS 1) across a bus outage', () => {
  it('loses nothing published while NATS was down', async () => {
    await using world = await busWorld();
    const topic = uniqueName('outage');
    await world.run(
      eventSourceFrom(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: devices}
spec:
  mqtt:
    readings:
      url: tcp://127.0.0.1:${broker.port}
      topic: ${topic}/#
      clientId: ${uniqueName('impulse')}
      qos: 1
      jsonBody: true
`),
    );
    await publisher.publishAsync(`${topic}/a`, '{"n":0}', { qos: 1 });
    await waitFor(() => world.events.length === 1, { timeoutMs: 10_000 });
    await world.nats.stop();
    const count = 300;
    for (let n = 1; n <= count; n++)
      await publisher.publishAsync(`${topic}/a`, JSON.stringify({ n }), { qos: 1 });
    await world.nats.start();
    await waitFor(
      () => new Set(world.events.map((e) => (e.data as { body: { n: number } }).body.n)).size === count + 1,
      {
        timeoutMs: 30_000,
        message: 'every message',
      },
    );
  });
});
