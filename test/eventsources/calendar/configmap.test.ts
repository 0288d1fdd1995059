import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBus, type EventBus } from '../../../eventbus/index.ts';
import { parseEventTime } from '../../../eventsources/calendar/configmap-store.ts';
import { createCalendarSource } from '../../../eventsources/calendar/index.ts';
import { type KubeEmulator, startKubeEmulator } from '../../support/kube-emulator/index.ts';
import { manualClock } from '../../support/manual-clock.ts';
import { waitFor, within } from '../../support/wait.ts';
import { recording, sourceInit } from '../source-fixture.ts';

let emulator: KubeEmulator;
let core: CoreV1Api;
let bus: EventBus & AsyncDisposable;
beforeAll(async () => {
  emulator = await startKubeEmulator({ controllers: false });
  core = emulator.kubeConfig().makeApiClient(CoreV1Api);
});
afterAll(() => emulator.close());
beforeEach(() => {
  bus = createMemoryBus({ name: 'cm' });
  return () => bus.close();
});

function start(configMap: string, clock: ReturnType<typeof manualClock>) {
  const init = sourceInit(
    'calendar',
    {
      schedule: '0 * * * *',
      metadata: { k: 'v' },
      persistence: { catchup: { enabled: true }, configMap: { name: configMap, createIfNotExist: true } },
    },
    { eventSourceName: 'cal', eventName: 'hourly', services: { kv: (b) => bus.kv(b), busName: bus.name } },
  );
  const rec = recording();
  const running = createCalendarSource(init, { clock, kubeConfig: async () => emulator.kubeConfig() }).start(
    rec.ctx,
  );
  return {
    rec,
    async stop() {
      rec.stop();
      await within(running, 5000);
    },
  };
}

describe('calendar persistence.configMap', () => {
  it('writes each tick to the ConfigMap as Argo Events does, creating it if allowed', async () => {
    const clock = manualClock(Date.parse('2026-06-01T00:30:00Z'));
    const cal = start('cal-ticks-a', clock);
    await waitFor(() => clock.nextWake);
    clock.set(Date.parse('2026-06-01T01:00:00Z'));
    await waitFor(() => cal.rec.events.length === 1);
    const cm = await waitFor(async () => {
      const found = await core.readNamespacedConfigMap({ name: 'cal-ticks-a', namespace: 'default' });
      return found.data?.['cal.hourly'] ? found : undefined;
    });
    expect(JSON.parse(cm.data!['cal.hourly']!)).toEqual({
      eventTime: '2026-06-01 01:00:00 +0000 UTC',
      metadata: { k: 'v' },
    });
    await cal.stop();
  });

  it('catches up from the tick Argo Events left in the ConfigMap when the KV has none', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: {
        metadata: { name: 'cal-ticks-b' },
        data: { 'cal.hourly': '{"eventTime":"2026-06-01 03:00:00.000412 +0200 CEST m=+3600.01"}' },
      },
    });
    const clock = manualClock(Date.parse('2026-06-01T03:10:00Z'));
    const cal = start('cal-ticks-b', clock);
    // 01:00 UTC was the last tick; 02:00 and 03:00 were missed.
    await waitFor(() => cal.rec.events.length === 2);
    expect(cal.rec.events.map((e) => e.options?.id)).toEqual([
      '2026-06-01T02:00:00.000Z',
      '2026-06-01T03:00:00.000Z',
    ]);
    await cal.stop();
  });

  it("reads Go's time strings", () => {
    expect(parseEventTime('2026-01-02 15:04:05.5 -0700 MST m=+1.2')).toBe(
      Date.parse('2026-01-02T22:04:05.500Z'),
    );
    expect(parseEventTime('not a time')).toBeUndefined();
  });
});
