import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBus, type EventBus } from '../../eventbus/index.ts';
import { type SensorHandle, startSensor } from '../../sensors/index.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { publishEvent, sensorFrom, sensorServices } from '../support/sensor-fixture.ts';
import { waitFor } from '../support/wait.ts';

let bus: EventBus;
let sink: HttpSink;
let sensor: SensorHandle | undefined;

beforeEach(async () => {
  bus = createMemoryBus({ name: 'test' });
  sink = await startHttpSink();
});
afterEach(async () => {
  await sensor?.close();
  sensor = undefined;
  await bus.close();
  await sink.close();
});

const PAYLOAD_A = `            - src: {dependencyName: a, dataKey: body.n, value: none}
              dest: a`;
const PAYLOAD_AB = `${PAYLOAD_A}
            - src: {dependencyName: b, dataKey: body.n, value: none}
              dest: b`;

function httpSensor(dependencies: string, extra = '', conditions = '', payload = PAYLOAD_AB) {
  return sensorFrom(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
  dependencies:
${dependencies}
  triggers:
    - template:
        name: call
${conditions ? `        conditions: "${conditions}"\n` : ''}        http:
          url: ${sink.url}/hook
          payload:
${payload}
${extra}`);
}

/** Waits until the trigger holds the event with `id` for `dependency` in KV. */
async function waitHeld(dependency: string, id: string) {
  const kv = await bus.kv('test-correlation');
  await waitFor(
    async () =>
      (await kv.get<{ held: Record<string, { id: string }> }>('default.s.call'))?.value.held[dependency]
        ?.id === id,
    {
      timeoutMs: 5000,
      message: `${dependency} holds ${id}`,
    },
  );
}

const ONLY_A = '    - {name: a, eventSourceName: src, eventName: a}';
const AB = `    - {name: a, eventSourceName: src, eventName: a}
    - {name: b, eventSourceName: src, eventName: b}`;

async function start(yaml: ReturnType<typeof sensorFrom>) {
  sensor = await startSensor(yaml, { ...sensorServices(bus), failureDelayMs: 50, ackWaitMs: 2000 });
  await waitFor(() => sensor!.health().ok, { timeoutMs: 5000, message: 'sensor healthy' });
}

describe('sensor runtime', () => {
  it('fires an HTTP trigger with the parameter taken from the event', async () => {
    await start(httpSensor(ONLY_A, '', '', PAYLOAD_A));
    await publishEvent(bus, 'src', 'a', { body: { n: 'one' } });
    await waitFor(() => sink.received.length === 1, { timeoutMs: 5000 });
    expect(sink.received[0]!.json).toEqual({ a: 'one' });
  });

  it('holds the first event of an AND and fires with both once the second arrives', async () => {
    await start(httpSensor(AB));
    await publishEvent(bus, 'src', 'a', { body: { n: 'first' } });
    await publishEvent(bus, 'src', 'a', { body: { n: 'latest' } }, 'a-latest');
    await waitHeld('a', 'a-latest');
    // A held event is not a firing; the latest event per dependency is kept.
    await publishEvent(bus, 'src', 'b', { body: { n: 'second' } });
    await waitFor(() => sink.received.length === 1, { timeoutMs: 5000 });
    expect(sink.received[0]!.json).toEqual({ a: 'latest', b: 'second' });
    // The held events were used up: another b alone does not fire.
    await publishEvent(bus, 'src', 'b', { body: { n: 'again' } }, 'b-again');
    await waitHeld('b', 'b-again');
    await publishEvent(bus, 'src', 'a', { body: { n: 'third' } });
    await waitFor(() => sink.received.length === 2, { timeoutMs: 5000 });
    expect(sink.received[1]!.json).toEqual({ a: 'third', b: 'again' });
  });

  it('fires on either dependency with an OR condition', async () => {
    await start(httpSensor(AB, '', 'a || b'));
    await publishEvent(bus, 'src', 'a', { body: { n: 1 } });
    await publishEvent(bus, 'src', 'b', { body: { n: 2 } });
    await waitFor(() => sink.received.length === 2, { timeoutMs: 5000 });
    expect(sink.received.map((r) => r.json)).toEqual([
      { a: '1', b: 'none' },
      { a: 'none', b: '2' },
    ]);
  });

  it('discards events that fail the data filters', async () => {
    await start(
      httpSensor(
        `    - name: a
      eventSourceName: src
      eventName: a
      filters:
        data:
          - {path: body.n, type: number, value: ["10"], comparator: ">"}`,
        '',
        '',
        PAYLOAD_A,
      ),
    );
    await publishEvent(bus, 'src', 'a', { body: { n: 5 } });
    await publishEvent(bus, 'src', 'a', { body: {} });
    await publishEvent(bus, 'src', 'a', { body: { n: 11 } });
    await waitFor(() => sink.received.length === 1, { timeoutMs: 5000 });
    expect(sink.received[0]!.json).toEqual({ a: '11' });
  });

  it('retries a failing trigger, then leaves the event unacked until it succeeds', async () => {
    let failures = 3;
    sink.respond = () => (failures-- > 0 ? 503 : 200);
    await start(httpSensor(ONLY_A, '      retryStrategy: {steps: 2, duration: 10ms}\n', '', PAYLOAD_A));
    await publishEvent(bus, 'src', 'a', { body: { n: 'x' } });
    // Two attempts fail, the message is delivered again, one more fails, then one succeeds.
    await waitFor(() => sink.received.length === 4, { timeoutMs: 5000 });
    const keys = new Set(sink.received.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
  });

  it('does not deliver again after a failure when atLeastOnce is false', async () => {
    sink.respond = () => 500;
    await start(httpSensor(ONLY_A, '      atLeastOnce: false\n', '', PAYLOAD_A));
    await publishEvent(bus, 'src', 'a', { body: { n: 'x' } });
    await publishEvent(bus, 'src', 'a', { body: { n: 'y' } });
    await waitFor(() => sink.received.length >= 2, { timeoutMs: 5000 });
    // The second event's request proves the first was not redelivered in between or after it.
    expect(sink.received.map((r) => (r.json as { a: string }).a)).toEqual(['x', 'y']);
  });
});
