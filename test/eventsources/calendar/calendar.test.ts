import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBus, type EventBus } from '../../../eventbus/index.ts';
import { createCalendarSource } from '../../../eventsources/calendar/index.ts';
import type { SourceConfig } from '../../../eventsources/index.ts';
import { type ManualClock, manualClock } from '../../support/manual-clock.ts';
import { waitFor, within } from '../../support/wait.ts';
import { recording, sourceInit } from '../source-fixture.ts';

let bus: EventBus & AsyncDisposable;
beforeEach(() => {
  bus = createMemoryBus({ name: 'cal' });
});
afterEach(() => bus.close());

/** Starts a calendar on `clock`, dispatching to the memory bus (real ids and dedup). */
function startCalendar(config: SourceConfig<'calendar'>, clock: ManualClock) {
  const init = sourceInit('calendar', config, {
    services: { kv: (b) => bus.kv(b), busName: bus.name },
  });
  const rec = recording(bus, {
    eventSourceName: init.eventSourceName,
    eventName: init.eventName,
    type: 'calendar',
  });
  const driver = createCalendarSource(init, { clock });
  const running = driver.start(rec.ctx);
  return {
    rec,
    running,
    /** Stops the calendar and waits until it has. */
    async stop() {
      rec.stop();
      await within(running, 5000, 'the calendar to stop');
    },
  };
}

/** Moves the clock to each wake-up the calendar asks for, until `count` ticks fired. */
async function runTicks(clock: ManualClock, rec: { events: unknown[] }, count: number) {
  while (rec.events.length < count) {
    const before = rec.events.length;
    const wake = await waitFor(() => clock.nextWake, { message: 'the calendar to wait for its next tick' });
    clock.set(wake);
    await waitFor(() => rec.events.length > before, { message: 'a tick to be dispatched' });
  }
}

const ids = (rec: { events: Array<{ options?: { id?: string } }> }) => rec.events.map((e) => e.options?.id);

describe('calendar source', () => {
  it('ticks every interval with {eventTime, metadata} and the scheduled time as id', async () => {
    const clock = manualClock(Date.parse('2026-05-01T10:00:00.300Z'));
    const cal = startCalendar({ interval: '10s', metadata: { hello: 'world' } }, clock);
    await waitFor(() => cal.rec.readyCalls > 0);
    await runTicks(clock, cal.rec, 3);
    expect(ids(cal.rec)).toEqual([
      '2026-05-01T10:00:10.000Z',
      '2026-05-01T10:00:20.000Z',
      '2026-05-01T10:00:30.000Z',
    ]);
    expect(cal.rec.events[0]!.payload).toEqual({
      eventTime: '2026-05-01 10:00:10 +0000 UTC',
      metadata: { hello: 'world' },
    });
    await cal.stop();
  });

  it('leaves metadata out when there is none, as Argo Events does', async () => {
    const clock = manualClock(Date.parse('2026-05-01T10:00:00Z'));
    const cal = startCalendar({ interval: '1m' }, clock);
    await runTicks(clock, cal.rec, 1);
    expect(cal.rec.events[0]!.payload).toEqual({ eventTime: '2026-05-01 10:01:00 +0000 UTC' });
    await cal.stop();
  });

  it('follows a cron schedule in its time zone across the spring DST change', async () => {
    const clock = manualClock(Date.parse('2026-03-28T12:00:00Z'));
    const cal = startCalendar({ schedule: '30 2 * * *', timezone: 'Europe/Berlin' }, clock);
    await runTicks(clock, cal.rec, 3);
    expect(cal.rec.events.map((e) => (e.payload as { eventTime: string }).eventTime)).toEqual([
      '2026-03-29 03:00:00 +0200 CEST',
      '2026-03-30 02:30:00 +0200 CEST',
      '2026-03-31 02:30:00 +0200 CEST',
    ]);
    expect(ids(cal.rec)[0]).toBe('2026-03-29T01:00:00.000Z');
    await cal.stop();
  });

  it('skips excluded days', async () => {
    const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
    const cal = startCalendar({ schedule: '0 12 * * *', exclusionDates: ['EXDATE:20260102T000000Z'] }, clock);
    await runTicks(clock, cal.rec, 2);
    expect(ids(cal.rec)).toEqual(['2026-01-01T12:00:00.000Z', '2026-01-03T12:00:00.000Z']);
    await cal.stop();
  });

  it('catches up each tick missed while stopped, once and in order, from the last tick in KV', async () => {
    const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
    const config = { schedule: '0 * * * *', persistence: { catchup: { enabled: true } } };
    const first = startCalendar(config, clock);
    await runTicks(clock, first.rec, 2);
    await first.stop();
    expect(ids(first.rec)).toEqual(['2026-06-01T01:00:00.000Z', '2026-06-01T02:00:00.000Z']);

    // Five hours and a half pass while nothing runs.
    clock.set(Date.parse('2026-06-01T07:30:00Z'));
    const second = startCalendar(config, clock);
    await waitFor(() => second.rec.events.length === 5, { message: 'five missed ticks' });
    expect(ids(second.rec)).toEqual([
      '2026-06-01T03:00:00.000Z',
      '2026-06-01T04:00:00.000Z',
      '2026-06-01T05:00:00.000Z',
      '2026-06-01T06:00:00.000Z',
      '2026-06-01T07:00:00.000Z',
    ]);
    // Then it waits for 08:00, firing nothing twice.
    await waitFor(() => clock.nextWake === Date.parse('2026-06-01T08:00:00Z'));
    expect(second.rec.events).toHaveLength(5);
    await second.stop();
  });

  it('catches up at most maxDuration back', async () => {
    const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
    const config = { schedule: '0 * * * *', persistence: { catchup: { enabled: true, maxDuration: '2h' } } };
    const first = startCalendar(config, clock);
    await runTicks(clock, first.rec, 1);
    await first.stop();
    clock.set(Date.parse('2026-06-01T10:30:00Z'));
    const second = startCalendar(config, clock);
    await waitFor(() => clock.nextWake === Date.parse('2026-06-01T11:00:00Z'));
    expect(ids(second.rec)).toEqual(['2026-06-01T09:00:00.000Z', '2026-06-01T10:00:00.000Z']);
    await second.stop();
  });

  it('without catch-up starts from now after a restart', async () => {
    const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
    const first = startCalendar({ schedule: '0 * * * *' }, clock);
    await runTicks(clock, first.rec, 1);
    await first.stop();
    clock.set(Date.parse('2026-06-01T05:30:00Z'));
    const second = startCalendar({ schedule: '0 * * * *' }, clock);
    await waitFor(() => clock.nextWake === Date.parse('2026-06-01T06:00:00Z'));
    expect(second.rec.events).toHaveLength(0);
    await second.stop();
  });

  it('holds a tick while the bus is away and fires the ticks that came due meanwhile, in order', async () => {
    const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
    const cal = startCalendar({ interval: '1m' }, clock);
    await waitFor(() => cal.rec.readyCalls > 0);
    const dispatch = cal.rec.ctx.dispatch;
    let away = true;
    let refused = 0;
    cal.rec.ctx.dispatch = async (payload, options) => {
      if (away) {
        refused++;
        const { ImpulseError } = await import('../../../core/errors.ts');
        throw new ImpulseError('BUS_UNAVAILABLE', 'away');
      }
      return dispatch(payload, options);
    };
    clock.set(Date.parse('2026-06-01T00:03:30Z'));
    await waitFor(() => refused >= 2, { message: 'the held tick to be retried' });
    away = false;
    await waitFor(() => cal.rec.events.length === 3, { message: 'three ticks after the outage' });
    expect(ids(cal.rec)).toEqual([
      '2026-06-01T00:01:00.000Z',
      '2026-06-01T00:02:00.000Z',
      '2026-06-01T00:03:00.000Z',
    ]);
    await cal.stop();
  });
});
