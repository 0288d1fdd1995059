import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as natsConnect } from '@nats-io/transport-node';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import type { Sensor, TriggerParameter } from '../../crds/index.ts';
import {
  type CloudEvent,
  createJetStreamBus,
  type EventBus,
  type Subscription,
} from '../../eventbus/index.ts';
import { sources } from '../../eventsources/all-sources.ts';
import { createCalendarSource } from '../../eventsources/calendar/index.ts';
import { type EventSourceHandle, runEventSource } from '../../eventsources/index.ts';
import { applyParameters } from '../../triggers/index.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import { manualClock } from '../support/manual-clock.ts';
import { startMosquitto } from '../support/mosquitto.ts';
import { ARGO_COMPAT_DIR } from '../support/paths.ts';
import { amqpTestClient } from '../support/rabbitmq.ts';
import { redisTestClient } from '../support/redis.ts';
import { sensorFrom } from '../support/sensor-fixture.ts';
import { waitFor } from '../support/wait.ts';
import { eventSourceFrom } from './bus-fixture.ts';

/**
 * Argo Events' examples for the schedule and queue sources, run unchanged except where they name a
 * server of their cluster (pointed at this machine's) or a name other tests might share (made
 * unique). Each EventSource stores a real event; its Sensor's trigger parameters then resolve
 * against that event. (The Sensors create Workflows through the k8s trigger; that part is the
 * k8s trigger's own tests' business.)
 */

let bus: EventBus;
let events: CloudEvent[];
let reader: Subscription;
const handles: EventSourceHandle[] = [];
const busName = testBusName();

beforeAll(async () => {
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
  events = [];
  reader = await bus.subscribe({ durable: 'compat', filterSubject: `${busName}.>` });
  void (async () => {
    for await (const m of reader) {
      events.push(m.event);
      await m.ack();
    }
  })().catch(() => undefined);
});
afterAll(async () => {
  for (const h of handles) await h.close().catch(() => undefined);
  await reader.close();
  await bus.close();
  await removeBusTraces(busName);
});

const example = (path: string) => readFile(join(ARGO_COMPAT_DIR, path), 'utf8');

async function run(yaml: string, options: { env?: NodeJS.ProcessEnv; registry?: typeof sources } = {}) {
  const handle = await runEventSource(eventSourceFrom(yaml), {
    bus,
    logger: silentLogger(),
    metrics: new Metrics(),
    secrets: createSecretResolver({ env: options.env ?? {} }),
    // The examples' names are common; another run on the shared NATS must not hold their leases.
    leases: false,
    ...(options.registry ? { registry: options.registry } : {}),
  });
  handles.push(handle);
  return handle;
}

/** The next stored event from EventSource `source`. */
async function nextEvent(source: string, after = 0): Promise<CloudEvent> {
  return waitFor(() => events.filter((e) => e.source === source)[after], {
    timeoutMs: 15_000,
    message: `an event from ${source}`,
  });
}

/** The value the Sensor's first k8s trigger parameter puts into its Workflow for `event`. */
function parameterValue(sensor: Sensor, event: CloudEvent): unknown {
  const trigger = sensor.spec.triggers[0]!;
  const k8s = trigger.template.k8s as { source: { resource: unknown }; parameters: TriggerParameter[] };
  const dependency = sensor.spec.dependencies[0]!.name;
  const param = k8s.parameters[0]!;
  const resource = applyParameters(k8s.source.resource, k8s.parameters, { [dependency]: event });
  return param.dest
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], resource);
}

describe("Argo Events' examples for schedules and queues", () => {
  it('calendar: ticks every 10s; the sensor takes eventTime', async () => {
    const clock = manualClock(Date.parse('2026-05-01T12:00:00Z'));
    await run(await example('event-sources/calendar.yaml'), {
      registry: { ...sources, calendar: (init) => createCalendarSource(init, { clock }) },
    });
    await waitFor(() => clock.nextWake);
    clock.advance(10_000);
    const event = await nextEvent('calendar');
    expect(event.id).toBe('2026-05-01T12:00:10.000Z');
    expect(event.data).toEqual({ eventTime: '2026-05-01 12:00:10 +0000 UTC' });
    const sensor = sensorFrom(await example('sensors/calendar.yaml'));
    expect(parameterValue(sensor, event)).toBe('2026-05-01 12:00:10 +0000 UTC');
  });

  it('amqp: consumes from the exchange; the sensor takes body', async () => {
    const suffix = randomUUID().slice(0, 8);
    const exchange = `test-${suffix}`;
    const text = (await example('event-sources/amqp.yaml'))
      .replace('amqp://rabbitmq-service.argo-events:5672', 'amqp://127.0.0.1:5672')
      .replace('exchangeName: test', `exchangeName: ${exchange}`)
      .replace('name: "my-queue-name"', `name: "my-queue-name-${suffix}"`);
    await using client = await amqpTestClient();
    client.forget({ exchange });
    await run(text, {
      env: { IMPULSE_SECRET_MY_SECRET_USERNAME: 'guest', IMPULSE_SECRET_MY_SECRET_PASSWORD: 'guest' },
    });
    await client.publish(exchange, 'hello', '{"message":"from rabbit"}');
    const event = await nextEvent('amqp');
    expect(event.data).toMatchObject({ exchange, routingKey: 'hello', body: { message: 'from rabbit' } });
    const sensor = sensorFrom(await example('sensors/amqp.yaml'));
    expect(parameterValue(sensor, event)).toBe('{"message":"from rabbit"}');
  });

  it('mqtt: subscribes to the topic', async () => {
    await using broker = await startMosquitto();
    await run(
      (await example('event-sources/mqtt.yaml')).replace(
        'tcp://mqtt.argo-events:1883',
        `tcp://127.0.0.1:${broker.port}`,
      ),
    );
    const publisher = await connectAsync(broker.url);
    try {
      await waitFor(async () => {
        await publisher.publishAsync('bar', '{"t":1}');
        return events.some((e) => e.source === 'mqtt');
      });
    } finally {
      await publisher.endAsync();
    }
    const event = await nextEvent('mqtt');
    expect(event.data).toEqual({ topic: 'bar', messageId: 0, body: { t: 1 } });
  });

  it('nats: subscribes to the subject; the sensor takes the whole event', async () => {
    const subject = `foo-${randomUUID().slice(0, 8)}`;
    await run(
      (await example('event-sources/nats.yaml'))
        .replace('nats://nats.argo-events.svc:4222', SHARED_NATS_URL)
        .replace('subject: foo', `subject: ${subject}`),
    );
    const nc = await natsConnect({ servers: SHARED_NATS_URL });
    try {
      nc.publish(subject, '{"hello":"nats"}');
      await nc.flush();
    } finally {
      await nc.close();
    }
    const event = await nextEvent('nats');
    expect(event.data).toEqual({ subject, body: { hello: 'nats' } });
    const sensor = sensorFrom(await example('sensors/nats.yaml'));
    expect(JSON.parse(parameterValue(sensor, event) as string)).toMatchObject({ data: event.data });
  });

  it('redis: subscribes to the channel; the sensor takes body', async () => {
    const channel = `FOO-${randomUUID().slice(0, 8)}`;
    await run(
      (await example('event-sources/redis.yaml'))
        .replace('redis.argo-events.svc:6379', '127.0.0.1:6379')
        .replace('- FOO', `- ${channel}`),
    );
    await using client = await redisTestClient();
    await client.redis.publish(channel, 'hello redis');
    const event = await nextEvent('redis');
    expect(event.data).toEqual({ channel, pattern: '', body: 'hello redis' });
    const sensor = sensorFrom(await example('sensors/redis.yaml'));
    expect(parameterValue(sensor, event)).toBe('hello redis');
  });

  it('redis-streams: reads the stream; the sensor takes values', async () => {
    const stream = `FOO-${randomUUID().slice(0, 8)}`;
    await using client = await redisTestClient();
    client.forget(stream);
    await run(
      (await example('event-sources/redis-streams.yaml'))
        .replace('redis.argo-events.svc:6379', '127.0.0.1:6379')
        .replace('- FOO', `- ${stream}`),
    );
    const id = await client.redis.xadd(stream, '*', 'key', 'value');
    const event = await nextEvent('redis-stream');
    expect(event.id).toBe(`${stream}:${id}`);
    expect(event.data).toEqual({ stream, message_id: id, values: { key: 'value' } });
    const sensor = sensorFrom(await example('sensors/redis-streams.yaml'));
    expect(parameterValue(sensor, event)).toBe('{"key":"value"}');
  });

  it('file: reports x.txt created; the sensor takes name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'impulse-compat-'));
    try {
      await run(
        (await example('event-sources/file.yaml')).replace('directory: /test-data/', `directory: ${dir}/`),
      );
      await writeFile(join(dir, 'x.txt'), 'hello');
      const event = await nextEvent('file');
      expect(event.data).toEqual({ name: join(dir, 'x.txt'), op: 1 });
      const sensor = sensorFrom(await example('sensors/file.yaml'));
      expect(parameterValue(sensor, event)).toBe(join(dir, 'x.txt'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
