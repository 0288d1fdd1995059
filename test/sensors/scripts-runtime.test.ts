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
  bus = createMemoryBus({ name: 'scripts' });
  sink = await startHttpSink();
});
afterEach(async () => {
  await sensor?.close();
  sensor = undefined;
  await bus.close();
  await sink.close();
});

function sensorWith(dependencyExtra: string, dependencies = 'a') {
  return sensorFrom(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s}
spec:
  dependencies:
${dependencies
  .split(',')
  .map((d) => `    - name: ${d}\n      eventSourceName: src\n      eventName: ${d}\n${dependencyExtra}`)
  .join('\n')}
  triggers:
    - template:
        name: call
        http:
          url: ${sink.url}/hook
          payload:
            - src: {dependencyName: a, dataKey: total}
              dest: total
`);
}

async function start(yaml: ReturnType<typeof sensorFrom>) {
  sensor = await startSensor(yaml, { ...sensorServices(bus), failureDelayMs: 50, ackWaitMs: 2000 });
  await waitFor(() => sensor!.health().ok, { timeoutMs: 10_000, message: 'sensor healthy' });
}

describe('transforms and script filters in a running sensor', () => {
  it('fires with the event as the jq transform shaped it, and drops what the Lua filter refuses', async () => {
    await start(
      sensorWith(`      transform:
        jq: '{total: (.body.items | add)}'
      filters:
        script: |
          return event.total > 5
`),
    );
    await publishEvent(bus, 'src', 'a', { body: { items: [1, 2] } });
    await publishEvent(bus, 'src', 'a', { body: { items: [3, 4] } });
    await waitFor(() => sink.received.length === 1, { timeoutMs: 15_000, message: 'one firing' });
    expect(sink.received[0]!.json).toEqual({ total: '7' });
  });

  it('drops an event its transform fails on, and goes on with the next', async () => {
    await start(sensorWith(`      transform:\n        script: 'return {total = event.body.n * 2}'\n`));
    await publishEvent(bus, 'src', 'a', { body: {} });
    await publishEvent(bus, 'src', 'a', { body: { n: 21 } });
    await waitFor(() => sink.received.length === 1, {
      timeoutMs: 15_000,
      message: 'the second event to fire',
    });
    expect(sink.received[0]!.json).toEqual({ total: '42' });
  });

  it('refuses to start with a jq program that does not compile', async () => {
    await expect(
      startSensor(sensorWith(`      transform:\n        jq: '{total: .body.'\n`), sensorServices(bus)),
    ).rejects.toThrow(/spec\.dependencies\[0\]\.transform\.jq/);
  });
});
