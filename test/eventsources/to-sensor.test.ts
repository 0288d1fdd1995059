import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as natsConnect } from '@nats-io/transport-node';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import { createJetStreamBus, type EventBus } from '../../eventbus/index.ts';
import { type EventSourceHandle, runEventSource } from '../../eventsources/index.ts';
import { type SensorHandle, startSensor } from '../../sensors/index.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.ts';
import { type AmqpTestClient, amqpTestClient } from '../support/rabbitmq.ts';
import { type RedisTestClient, redisTestClient } from '../support/redis.ts';
import { sensorFrom, sensorServices } from '../support/sensor-fixture.ts';
import { waitFor } from '../support/wait.ts';
import { eventSourceFrom } from './bus-fixture.ts';

/**
 * One EventSource with every schedule and queue type, and a Sensor whose HTTP triggers pick fields
 * of each payload shape: what a user's sensor reads is what arrives.
 */
const tag = randomUUID().slice(0, 8);
const names = {
  exchange: `ex-${tag}`,
  topic: `t/${tag}`,
  subject: `s.${tag}`,
  channel: `ch-${tag}`,
  stream: `st-${tag}`,
};
let bus: EventBus;
let sink: HttpSink;
let broker: Mosquitto;
let rabbit: AmqpTestClient;
let redis: RedisTestClient;
let dir: string;
let source: EventSourceHandle;
let sensor: SensorHandle;
const busName = testBusName();

const triggers: Array<[string, Record<string, string>]> = [
  ['calendar', { a: 'eventTime', b: 'metadata.kind' }],
  ['amqp', { a: 'body.n', b: 'routingKey' }],
  ['mqtt', { a: 'body.n', b: 'topic' }],
  ['nats', { a: 'body.n', b: 'subject' }],
  ['redis', { a: 'body.n', b: 'channel' }],
  ['redisStream', { a: 'values.n', b: 'stream' }],
  ['file', { a: 'name', b: 'op' }],
];

beforeAll(async () => {
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  sink = await startHttpSink();
  broker = await startMosquitto();
  rabbit = await amqpTestClient();
  rabbit.forget({ exchange: names.exchange });
  redis = await redisTestClient();
  redis.forget(names.stream);
  dir = await mkdtemp(join(tmpdir(), 'impulse-to-sensor-'));
  const sensorYaml = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: reader}
spec:
  dependencies:
${triggers.map(([t]) => `    - {name: ${t.toLowerCase()}, eventSourceName: everything, eventName: ${t.toLowerCase()}}`).join('\n')}
  triggers:
${triggers
  .map(
    ([t, fields]) => `    - template:
        name: to-sink-${t.toLowerCase()}
        conditions: ${t.toLowerCase()}
        http:
          url: ${sink.url}/${t}
          payload:
${Object.entries(fields)
  .map(
    ([dest, key]) =>
      `            - {src: {dependencyName: ${t.toLowerCase()}, dataKey: ${key}}, dest: ${dest}}`,
  )
  .join('\n')}`,
  )
  .join('\n')}
`;
  sensor = await startSensor(sensorFrom(sensorYaml), sensorServices(bus));
  await waitFor(() => sensor.health().ok, { message: 'the sensor subscribed' });
  source = await runEventSource(
    eventSourceFrom(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: everything}
spec:
  calendar:
    calendar: {interval: 1s, metadata: {kind: tick}}
  amqp:
    amqp: {url: "amqp://guest:guest@127.0.0.1:5672", exchangeName: ${names.exchange}, exchangeType: topic, routingKey: "orders.#", jsonBody: true}
  mqtt:
    mqtt: {url: "tcp://127.0.0.1:${broker.port}", topic: "${names.topic}", clientId: c-${tag}, qos: 1, jsonBody: true}
  nats:
    nats: {url: "${SHARED_NATS_URL}", subject: "${names.subject}", jsonBody: true}
  redis:
    redis: {hostAddress: "127.0.0.1:6379", channels: [${names.channel}], jsonBody: true}
  redisStream:
    redisstream: {hostAddress: "127.0.0.1:6379", streams: [${names.stream}]}
  file:
    file: {eventType: CREATE, watchPathConfig: {directory: "${dir}", path: hello.txt}}
`),
    {
      bus,
      logger: silentLogger(),
      metrics: new Metrics(),
      secrets: createSecretResolver({ env: {} }),
      leases: false,
    },
  );
});

afterAll(async () => {
  await source?.close();
  await sensor?.close();
  await bus?.close();
  await Promise.allSettled([sink.close(), broker.close(), rabbit.close(), redis.close()]);
  await rm(dir, { recursive: true, force: true });
  await removeBusTraces(busName);
});

describe('every schedule and queue source, read by a sensor', () => {
  it('delivers each payload shape to the triggers that read it', async () => {
    await rabbit.publish(names.exchange, 'orders.new', '{"n":1}');
    const mqtt = await connectAsync(broker.url);
    await mqtt.publishAsync(names.topic, '{"n":2}', { qos: 1 });
    await mqtt.endAsync();
    const nc = await natsConnect({ servers: SHARED_NATS_URL });
    nc.publish(names.subject, '{"n":3}');
    await nc.flush();
    await nc.close();
    await redis.redis.publish(names.channel, '{"n":4}');
    await redis.redis.xadd(names.stream, '*', 'n', '5');
    await writeFile(join(dir, 'hello.txt'), 'hi');

    const got = (type: string) =>
      sink.received.find((r) => r.path === `/${type}`)?.json as Record<string, unknown>;
    await waitFor(() => triggers.every(([t]) => got(t)), {
      timeoutMs: 15_000,
      message: `every trigger to fire (got ${JSON.stringify(sink.received.map((r) => r.path))})`,
    });
    // Parameters resolve to strings, as in Argo Events.
    expect(got('amqp')).toEqual({ a: '1', b: 'orders.new' });
    expect(got('mqtt')).toEqual({ a: '2', b: names.topic });
    expect(got('nats')).toEqual({ a: '3', b: names.subject });
    expect(got('redis')).toEqual({ a: '4', b: names.channel });
    expect(got('redisStream')).toEqual({ a: '5', b: names.stream });
    expect(got('file')).toEqual({ a: join(dir, 'hello.txt'), b: '1' });
    expect(got('calendar')).toMatchObject({ b: 'tick' });
    expect(got('calendar')!.a).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
  });
});
