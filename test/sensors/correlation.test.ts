import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBus, type EventBus, type KvStore } from '../../eventbus/index.ts';
import { type EntryState, type SensorHandle, startSensor } from '../../sensors/index.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { publishEvent, sensorFrom, sensorServices } from '../support/sensor-fixture.ts';
import { waitFor } from '../support/wait.ts';

let bus: EventBus;
let kv: KvStore;
let sink: HttpSink;
const sensors: SensorHandle[] = [];

beforeEach(async () => {
  bus = createMemoryBus({ name: 'test' });
  kv = await bus.kv('test-correlation');
  sink = await startHttpSink();
});
afterEach(async () => {
  await Promise.allSettled(sensors.splice(0).map((s) => s.close()));
  await bus.close();
  await sink.close();
});

async function start(yaml: string) {
  const sensor = await startSensor(sensorFrom(yaml), {
    ...sensorServices(bus),
    failureDelayMs: 20,
    ackWaitMs: 2000,
  });
  sensors.push(sensor);
  await waitFor(() => sensor.health().ok, { timeoutMs: 5000, message: 'sensor healthy' });
  return sensor;
}

async function stop(sensor: SensorHandle) {
  await sensor.close();
  sensors.splice(sensors.indexOf(sensor), 1);
}

const entry = async (key: string) => (await kv.get<EntryState>(key))?.value;

/** Records the values the sensor writes to `key` of any KV bucket of `target`, in order. */
function recordWrites(target: EventBus, key: string): EntryState[] {
  const written: EntryState[] = [];
  const open = target.kv.bind(target);
  target.kv = async (...args: Parameters<EventBus['kv']>) => {
    const store = await open(...args);
    const noted =
      <R>(k: string, value: unknown) =>
      (r: R) => {
        if (k === key) written.push(structuredClone(value) as EntryState);
        return r;
      };
    return {
      ...store,
      bucket: store.bucket,
      get: (k) => store.get(k),
      keys: (prefix) => store.keys(prefix),
      delete: (k) => store.delete(k),
      put: (k, value) => store.put(k, value).then(noted(k, value)),
      create: (k, value) => store.create(k, value).then(noted(k, value)),
      update: (k, value, revision) => store.update(k, value, revision).then(noted(k, value)),
    };
  };
  return written;
}

/** An AND of `deps` posting `{<dep>: body.n}` to the sink. */
function andSensor(
  options: { deps?: string[]; template?: string; spec?: string; depExtra?: Record<string, string> } = {},
) {
  const deps = options.deps ?? ['tests', 'image'];
  return `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
${options.spec ?? ''}  dependencies:
${deps.map((d) => `    - {name: ${d}, eventSourceName: src, eventName: ${d}${options.depExtra?.[d] ?? ''}}`).join('\n')}
  triggers:
    - template:
        name: call
${options.template ?? ''}        http:
          url: ${sink.url}/hook
          payload:
${deps.map((d) => `            - src: {dependencyName: ${d}, dataKey: body.n}\n              dest: ${d}`).join('\n')}
`;
}

describe('keyed correlation', () => {
  const keyed = { tests: ', correlationKey: body.commit', image: ', correlationKey: body.commit' };

  it('joins interleaved events of three commits into three firings with the right pairs', async () => {
    await start(andSensor({ depExtra: keyed, spec: '  correlationWindow: 1h\n' }));
    const send = (dep: string, commit: string) =>
      publishEvent(bus, 'src', dep, { body: { commit, n: `${dep}-${commit}` } });
    await send('tests', 'c1');
    await send('tests', 'c2');
    await send('image', 'c3');
    await send('image', 'c1');
    await send('tests', 'c3');
    await send('image', 'c2');
    await waitFor(() => sink.received.length === 3, { message: 'three firings' });
    const pairs = sink.received.map((r) => r.json as Record<string, string>);
    expect(pairs).toEqual([
      { tests: 'tests-c1', image: 'image-c1' },
      { tests: 'tests-c3', image: 'image-c3' },
      { tests: 'tests-c2', image: 'image-c2' },
    ]);
  });

  it('drops an event once the correlation window has passed', async () => {
    await start(andSensor({ depExtra: keyed, spec: '  correlationWindow: 300ms\n' }));
    await publishEvent(bus, 'src', 'tests', { body: { commit: 'c1', n: 'old' } });
    await waitFor(async () => (await kv.keys('default.s.call.k.')).length === 1, { message: 'held for c1' });
    const heldBy = Date.now();
    await waitFor(() => Date.now() - heldBy > 350, { timeoutMs: 2000, message: 'the 300 ms window to pass' });
    await publishEvent(bus, 'src', 'image', { body: { commit: 'c1', n: 'img' } });
    await publishEvent(bus, 'src', 'tests', { body: { commit: 'c1', n: 'new' } });
    await waitFor(() => sink.received.length === 1, { message: 'a firing' });
    expect(sink.received[0]!.json).toEqual({ tests: 'new', image: 'img' });
  });

  it('discards an event without a value at its correlation key', async () => {
    await start(andSensor({ depExtra: keyed }));
    await publishEvent(bus, 'src', 'tests', { body: { n: 'no commit' } });
    await publishEvent(bus, 'src', 'tests', { body: { commit: 'c9', n: 'ok' } });
    await waitFor(async () => (await kv.keys('default.s.call.k.')).length === 1, { message: 'one key held' });
    const [key] = await kv.keys('default.s.call.k.');
    expect(await entry(key!)).toMatchObject({ key: 'c9', held: { tests: {} } });
  });
});

describe('conditionsReset', () => {
  it('drops the held events when the schedule ticks', async () => {
    // Every state the sensor writes, in order: with a reset each second, polling could miss the
    // moment the event is held.
    const written = recordWrites(bus, 'default.s.call');
    await start(andSensor({ template: '        conditionsReset: [{byTime: {cron: "* * * * * *"}}]\n' }));
    await publishEvent(bus, 'src', 'tests', { body: { n: 't' } });
    await waitFor(
      () => {
        const heldAt = written.findIndex((state) => state.held.tests);
        return heldAt >= 0 && written.slice(heldAt + 1).some((state) => !state.held.tests);
      },
      { message: 'tests held, then dropped by the reset' },
    );
    await publishEvent(bus, 'src', 'image', { body: { n: 'i' } });
    await waitFor(async () => (await entry('default.s.call'))?.held.image, { message: 'image held' });
    expect(sink.received).toEqual([]);
  });

  it('drops at start what was held before the last tick, and keeps what came after', async () => {
    const day = 24 * 60 * 60 * 1000;
    await kv.put('default.s.call', {
      held: {
        tests: { id: 'old', seq: 1, at: Date.now() - 2 * day },
        image: { id: 'new', seq: 2, at: Date.now() },
      },
      firings: {},
      handled: {},
    });
    await start(
      andSensor({ template: '        conditionsReset: [{byTime: {cron: "0 0 * * *", timezone: UTC}}]\n' }),
    );
    expect(Object.keys((await entry('default.s.call'))!.held)).toEqual(['image']);
  });
});

describe('spec changes', () => {
  it('clear the state of the dependencies and triggers that changed, and only those', async () => {
    const v1 = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
  dependencies:
    - {name: a, eventSourceName: src, eventName: a}
    - {name: b, eventSourceName: src, eventName: b}
    - {name: c, eventSourceName: src, eventName: c}
  triggers:
    - template: {name: ab, conditions: "a && b", log: {}}
    - template: {name: abc, conditions: "a && b && c", log: {}}
`;
    const first = await start(v1);
    await publishEvent(bus, 'src', 'a', {});
    await publishEvent(bus, 'src', 'c', {}, 'c-1');
    await waitFor(async () => (await entry('default.s.abc'))?.held.c, { message: 'c held' });
    await waitFor(async () => (await entry('default.s.ab'))?.held.a, { message: 'a held' });
    await stop(first);

    // Events that arrive while the sensor is stopped wait in the consumers...
    await publishEvent(bus, 'src', 'a', {}, 'a-2');
    await publishEvent(bus, 'src', 'c', { x: 'y' }, 'c-2');
    // ...but c gets a filter: its held event and its consumers go, so c-2 is never read.
    const v2 = v1.replace(
      'eventName: c}',
      'eventName: c, filters: {data: [{path: x, type: string, value: ["y"]}]}}',
    );
    const second = await start(v2);
    await waitFor(async () => (await entry('default.s.abc'))?.held.a?.id === 'a-2', { message: 'a-2 read' });
    expect(Object.keys((await entry('default.s.ab'))!.held)).toEqual(['a']);
    expect(Object.keys((await entry('default.s.abc'))!.held)).toEqual(['a']);
    await publishEvent(bus, 'src', 'c', { x: 'y' }, 'c-3');
    await waitFor(async () => (await entry('default.s.abc'))?.held.c?.id === 'c-3', { message: 'c-3 held' });
    await stop(second);

    // abc's condition changes: its state goes; ab keeps its own.
    await start(v2.replace('"a && b && c"', '"a && (b || c)"'));
    expect(await entry('default.s.abc')).toBeUndefined();
    expect(Object.keys((await entry('default.s.ab'))!.held)).toEqual(['a']);
  });
});

describe('recorded firings', () => {
  it('complete once after a restart with the same events, and the held events stay used', async () => {
    let failFirst = true;
    sink.respond = () => {
      if (failFirst) {
        failFirst = false;
        return 503;
      }
      return 200;
    };
    const first = await start(andSensor());
    await publishEvent(bus, 'src', 'tests', { body: { n: 't1' } });
    await publishEvent(bus, 'src', 'image', { body: { n: 'i1' } });
    await waitFor(() => sink.received.length === 1, { message: 'the first attempt' });
    await waitFor(
      async () => Object.values((await entry('default.s.call'))?.firings ?? {})[0]?.failures === 1,
      {
        message: 'the failure to be recorded',
      },
    );
    await stop(first);
    expect((await entry('default.s.call'))?.held).toEqual({});

    await start(andSensor());
    await waitFor(() => sink.received.length === 2, { message: 'the resumed firing' });
    await waitFor(async () => Object.keys((await entry('default.s.call'))?.firings ?? {}).length === 0, {
      message: 'the record to be done',
    });
    expect(sink.received[1]!.json).toEqual({ tests: 't1', image: 'i1' });
    expect(sink.received[1]!.headers['idempotency-key']).toBe(sink.received[0]!.headers['idempotency-key']);
    // Nothing is held: a new image alone does not fire.
    await publishEvent(bus, 'src', 'image', { body: { n: 'i2' } });
    await waitFor(async () => (await entry('default.s.call'))?.held.image, { message: 'image held' });
    expect(sink.received).toHaveLength(2);
  });
});
