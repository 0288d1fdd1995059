import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BusMessage,
  createMemoryBus,
  type EventBus,
  outcomeSubject,
  type Subscription,
} from '../../eventbus/index.ts';
import { publishRedrive, type SensorHandle, startSensor } from '../../sensors/index.ts';
import { createFiring, type TriggerFactory, triggers } from '../../triggers/index.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { publishEvent, sensorFrom, sensorServices } from '../support/sensor-fixture.ts';
import { staysTrue, waitFor } from '../support/wait.ts';

let bus: EventBus;
let sink: HttpSink;
const sensors: SensorHandle[] = [];
const subscriptions: Subscription[] = [];

beforeEach(async () => {
  bus = createMemoryBus({ name: 'test' });
  sink = await startHttpSink();
});
afterEach(async () => {
  await Promise.allSettled(sensors.splice(0).map((s) => s.close()));
  await Promise.allSettled(subscriptions.splice(0).map((s) => s.close()));
  await bus.close();
  await sink.close();
});

/** A sensor `name` with one dependency `a` and an HTTP trigger `call` posting `{a: body.n}` to `path`. */
function sensorYaml(
  name: string,
  extra = '',
  path = '/hook',
  dependency = '{name: a, eventSourceName: src, eventName: a}',
) {
  return `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: ${name}}
spec:
  dependencies:
    - ${dependency}
  triggers:
    - template:
        name: call
        http:
          url: ${sink.url}${path}
          payload:
            - src: {dependencyName: a, dataKey: body.n, value: none}
              dest: a
${extra}`;
}

async function start(yaml: string, options: { maxDeliver?: number; ackWaitMs?: number } = {}) {
  const sensor = await startSensor(sensorFrom(yaml), {
    ...sensorServices(bus),
    failureDelayMs: 20,
    ackWaitMs: options.ackWaitMs ?? 2000,
    maxDeliver: options.maxDeliver ?? 4,
  });
  sensors.push(sensor);
  await waitFor(() => sensor.health().ok, { timeoutMs: 5000, message: 'sensor healthy' });
  return sensor;
}

/** Collects the outcome events of sensor `sensor`, trigger `call`, from now on. */
async function outcomes(sensor: string) {
  const sub = await bus.subscribe({
    durable: `o${randomUUID().slice(0, 8)}`,
    filterSubject: outcomeSubject(bus.name, sensor, 'call'),
  });
  subscriptions.push(sub);
  const received: BusMessage[] = [];
  void (async () => {
    for await (const m of sub) {
      received.push(m);
      await m.ack();
    }
  })();
  return received;
}

const letters = async () => (await bus.deadLetters()).list();
const RETRY3 = '      retryStrategy: {steps: 3, duration: 10ms}\n';

describe('dead letters', () => {
  it('sends a permanent failure to the dead-letter stream at once, with the event, the error and the attempts', async () => {
    sink.respond = () => 400;
    const seen = await outcomes('s');
    await start(sensorYaml('s', RETRY3));
    await publishEvent(bus, 'src', 'a', { body: { n: 'x' } }, 'e1');
    await waitFor(async () => (await letters()).length === 1, { message: 'a dead letter' });
    const [letter] = await letters();
    expect(sink.received).toHaveLength(1);
    expect(letter).toMatchObject({
      namespace: 'default',
      sensor: 's',
      trigger: 'call',
      reason: 'failed',
      attempts: 1,
      error: { code: 'PERMANENT' },
      refs: { a: { id: 'e1' } },
    });
    expect(letter!.events.a).toMatchObject({ id: 'e1', data: { body: { n: 'x' } } });
    expect(letter!.firingId).toBe(sink.received[0]!.headers['idempotency-key']);
    await waitFor(() => seen.length === 2, { message: 'two outcome events' });
    expect(seen.map((m) => m.event.type)).toEqual(['impulse.trigger.failed', 'impulse.trigger.deadlettered']);
    expect(seen[1]!.event).toMatchObject({
      id: `${letter!.firingId}:impulse.trigger.deadlettered`,
      source: 's',
      subject: 'call',
      data: { firingId: letter!.firingId, eventIds: { a: 'e1' }, attempt: 1, deadLetterId: letter!.id },
    });
  });

  it('fires the dlqTrigger with the events of the failed firing', async () => {
    sink.respond = (req) => (req.path === '/hook' ? 422 : 200);
    await start(
      sensorYaml(
        's',
        `      dlqTrigger:
        template:
          name: to-dlq
          http:
            url: ${sink.url}/dlq
            payload:
              - src: {dependencyName: a, dataKey: body.n}
                dest: failed
`,
      ),
    );
    await publishEvent(bus, 'src', 'a', { body: { n: 'lost?' } });
    await waitFor(async () => (await letters()).length === 1, { message: 'a dead letter' });
    const dlq = sink.received.filter((r) => r.path === '/dlq');
    expect(dlq.map((r) => r.json)).toEqual([{ failed: 'lost?' }]);
    expect((await letters())[0]!.dlqTrigger).toEqual({ status: 'succeeded' });
  });

  it('succeeds after transient failures within the retries, and says so in a fired outcome', async () => {
    let failures = 2;
    sink.respond = () => (failures-- > 0 ? 503 : 200);
    const seen = await outcomes('s');
    await start(sensorYaml('s', RETRY3));
    await publishEvent(bus, 'src', 'a', { body: { n: 'x' } });
    await waitFor(() => seen.length === 1, { message: 'the fired outcome' });
    expect(sink.received).toHaveLength(3);
    expect(seen[0]!.event.type).toBe('impulse.trigger.fired');
    expect(seen[0]!.event.data).toMatchObject({ attempt: 3, status: 200 });
    expect(await letters()).toEqual([]);
  });

  it('dead-letters a message that keeps failing on its last allowed delivery', async () => {
    sink.respond = () => 503;
    await start(sensorYaml('s'), { maxDeliver: 3 });
    await publishEvent(bus, 'src', 'a', { body: { n: 'x' } });
    await waitFor(async () => (await letters()).length === 1, { message: 'a dead letter' });
    // Delivery 1 fails and comes back; delivery 2 is the last that may execute.
    expect(sink.received).toHaveLength(2);
    expect((await letters())[0]).toMatchObject({
      reason: 'max-deliveries',
      attempts: 2,
      error: { code: 'TRANSIENT' },
    });
  });

  it('delivers a dead letter again when it is redriven after the sink is fixed', async () => {
    sink.respond = () => 400;
    await start(sensorYaml('s'));
    await publishEvent(bus, 'src', 'a', { body: { n: 'again' } });
    await waitFor(async () => (await letters()).length === 1, { message: 'a dead letter' });
    sink.respond = () => 200;
    const [letter] = await letters();
    await publishRedrive(bus, letter!);
    await waitFor(() => sink.received.length === 2, { message: 'the redriven request' });
    expect(sink.received[1]!.json).toEqual({ a: 'again' });
    expect(sink.received[1]!.headers['idempotency-key']).toBe(letter!.firingId);
  });
});

describe('outcome events', () => {
  it('let a sensor react to another sensor trigger with outcomeOf', async () => {
    await start(sensorYaml('first'));
    await start(
      `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: second}
spec:
  dependencies:
    - name: done
      outcomeOf: {sensor: first, trigger: call}
      filters:
        context: {type: impulse.trigger.fired}
  triggers:
    - template:
        name: next
        http:
          url: ${sink.url}/next
          payload:
            - src: {dependencyName: done, dataKey: firingId}
              dest: after
`,
    );
    await publishEvent(bus, 'src', 'a', { body: { n: 'step 1' } });
    await waitFor(() => sink.received.some((r) => r.path === '/next'), {
      message: 'the second sensor to fire',
    });
    const first = sink.received.find((r) => r.path === '/hook')!;
    const next = sink.received.find((r) => r.path === '/next')!;
    expect(next.json).toEqual({ after: first.headers['idempotency-key'] });
  });
});

describe('execution policy', () => {
  it('spaces firings by rateLimit without dropping any or letting them be redelivered', async () => {
    await start(sensorYaml('s', '      rateLimit: {unit: Second, requestsPerUnit: 5}\n'), { ackWaitMs: 300 });
    const started = Date.now();
    for (let i = 0; i < 10; i++) await publishEvent(bus, 'src', 'a', { body: { n: i } });
    await waitFor(() => sink.received.length >= 10, { timeoutMs: 10_000, message: 'ten firings' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1700);
    const values = sink.received.map((r) => (r.json as { a: string }).a);
    expect(values).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
  });

  it('finishes a superseded firing only when the firing that covers it is done', async () => {
    // A log trigger that, like the gitops trigger, coalesces: firing 1 is covered by firing 2.
    const original = triggers.log!;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const later = (id: string) =>
      createFiring('default', 's', 'call', {
        a: {
          specversion: '1.0',
          id,
          source: 'src',
          type: 'webhook',
          subject: 'a',
          time: '',
          datacontenttype: '',
          data: null,
        },
      }).id;
    const reached = new Set<string>();
    const coalescing: TriggerFactory = () => ({
      async execute(_spec, firing) {
        reached.add(firing.events.a!.id);
        if (firing.events.a!.id === 'e1') return { status: 'superseded', by: later('e2') };
        await gate;
        return { status: 'succeeded' };
      },
    });
    triggers.log = coalescing;
    try {
      const seen = await outcomes('s');
      await start(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
  dependencies: [{name: a, eventSourceName: src, eventName: a}]
  triggers: [{template: {name: call, log: {}}}]
`);
      await publishEvent(bus, 'src', 'a', {}, 'e2');
      await publishEvent(bus, 'src', 'a', {}, 'e1');
      await waitFor(() => reached.size === 2, { message: 'both firings to execute' });
      expect(seen).toEqual([]);
      release();
      await waitFor(() => seen.length === 2, { message: 'both firings to be done' });
      expect(seen.map((m) => (m.event.data as { eventIds: { a: string } }).eventIds.a)).toEqual(['e2', 'e1']);
      expect(seen[1]!.event.data).toMatchObject({ supersededBy: later('e2') });
    } finally {
      triggers.log = original;
    }
  });

  it('runs up to 64 executions of one trigger at once', async () => {
    const release: Array<() => void> = [];
    sink.respond = () => new Promise<number>((resolve) => release.push(() => resolve(200)));
    await start(sensorYaml('s'));
    for (let i = 0; i < 80; i++) await publishEvent(bus, 'src', 'a', { body: { n: i } });
    await waitFor(() => sink.received.length === 64, { message: '64 requests in flight' });
    // No 65th request may start while the 64 are held.
    await staysTrue(() => sink.received.length === 64, { forMs: 200, message: '64 requests at most' });
    for (const r of release.splice(0)) r();
    await waitFor(() => release.length === 16, { message: 'the other 16' });
    for (const r of release.splice(0)) r();
  });
});
