import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { formatGoTime, loadZone, UTC_ZONE, type Zone } from '../../../eventsources/calendar/index.ts';
import {
  cronSchedule,
  excludingDates,
  exclusionDays,
  intervalSchedule,
  type Schedule,
} from '../../../eventsources/calendar/schedule.ts';

/** The next `n` ticks after `from`, in Go's format in `zone`. */
function ticks(schedule: Schedule, zone: Zone, from: string, n: number): string[] {
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = schedule.next(t);
    if (next === undefined) break;
    out.push(formatGoTime(next, zone));
    t = next;
  }
  return out;
}

const berlin = loadZone('Europe/Berlin', 'test');
const newYork = loadZone('America/New_York', 'test');

describe('cron schedules', () => {
  it('combines a restricted day-of-month and day-of-week with OR, as standard cron does', () => {
    const schedule = cronSchedule('0 0 1 * 1', UTC_ZONE, 'p');
    expect(ticks(schedule, UTC_ZONE, '2026-01-26T12:00:00Z', 3)).toEqual([
      '2026-02-01 00:00:00 +0000 UTC', // the 1st, a Sunday
      '2026-02-02 00:00:00 +0000 UTC', // a Monday
      '2026-02-09 00:00:00 +0000 UTC',
    ]);
  });

  it('reads six fields as seconds first, and ? as *', () => {
    expect(ticks(cronSchedule('*/20 * * * * *', UTC_ZONE, 'p'), UTC_ZONE, '2026-01-01T00:00:00Z', 3)).toEqual(
      ['2026-01-01 00:00:20 +0000 UTC', '2026-01-01 00:00:40 +0000 UTC', '2026-01-01 00:01:00 +0000 UTC'],
    );
    expect(ticks(cronSchedule('0 12 ? * MON', UTC_ZONE, 'p'), UTC_ZONE, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-05 12:00:00 +0000 UTC',
      '2026-01-12 12:00:00 +0000 UTC',
    ]);
  });

  it('knows the last day of the month and the nth weekday', () => {
    expect(ticks(cronSchedule('0 0 L * *', UTC_ZONE, 'p'), UTC_ZONE, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-31 00:00:00 +0000 UTC',
      '2026-02-28 00:00:00 +0000 UTC',
    ]);
    expect(ticks(cronSchedule('0 0 * * 5#2', UTC_ZONE, 'p'), UTC_ZONE, '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-09 00:00:00 +0000 UTC',
    ]);
  });

  it('runs in the configured zone', () => {
    expect(ticks(cronSchedule('0 9 * * *', newYork, 'p'), newYork, '2026-01-10T00:00:00Z', 1)).toEqual([
      '2026-01-10 09:00:00 -0500 EST',
    ]);
    expect(
      new Date(cronSchedule('0 9 * * *', newYork, 'p').next(Date.parse('2026-01-10T00:00:00Z'))!),
    ).toEqual(new Date('2026-01-10T14:00:00Z'));
  });

  it('fires a daily time skipped by the spring change when the clocks jump, and keeps its hour after', () => {
    const schedule = cronSchedule('30 2 * * *', berlin, 'p');
    expect(ticks(schedule, berlin, '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28 02:30:00 +0100 CET',
      '2026-03-29 03:00:00 +0200 CEST',
      '2026-03-30 02:30:00 +0200 CEST',
    ]);
    const ny = cronSchedule('30 2 * * *', newYork, 'p');
    expect(ticks(ny, newYork, '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-08 03:00:00 -0400 EDT',
      '2026-03-09 02:30:00 -0400 EDT',
      '2026-03-10 02:30:00 -0400 EDT',
    ]);
  });

  it('fires each instant of the repeated hour of the autumn change, so no tick goes missing', () => {
    const schedule = cronSchedule('*/30 * * * *', berlin, 'p');
    expect(ticks(schedule, berlin, '2026-10-24T23:45:00Z', 6)).toEqual([
      '2026-10-25 02:00:00 +0200 CEST',
      '2026-10-25 02:30:00 +0200 CEST',
      '2026-10-25 02:00:00 +0100 CET',
      '2026-10-25 02:30:00 +0100 CET',
      '2026-10-25 03:00:00 +0100 CET',
      '2026-10-25 03:30:00 +0100 CET',
    ]);
    const instants: number[] = [];
    let t = Date.parse('2026-10-24T23:45:00Z');
    for (let i = 0; i < 6; i++) {
      t = schedule.next(t)!;
      instants.push(t);
    }
    expect(instants.slice(1).map((x, i) => x - instants[i]!)).toEqual(Array(5).fill(30 * 60_000));
  });

  it('finds rare dates years ahead', () => {
    expect(ticks(cronSchedule('0 0 29 2 *', UTC_ZONE, 'p'), UTC_ZONE, '2026-03-01T00:00:00Z', 1)).toEqual([
      '2028-02-29 00:00:00 +0000 UTC',
    ]);
  });

  it('rejects an expression that does not parse, naming the field', () => {
    for (const bad of ['* * * *', '61 * * * *', 'every day']) {
      try {
        cronSchedule(bad, UTC_ZONE, 'spec.calendar.example.schedule');
        expect.unreachable(bad);
      } catch (err) {
        expect(isImpulseError(err, 'INVALID_MANIFEST')).toBe(true);
        expect((err as Error).message).toMatch(
          /^spec\.calendar\.example\.schedule: ".*" is not a cron expression/,
        );
      }
    }
  });
});

describe('interval schedules', () => {
  it('ticks every interval from the previous tick, on whole seconds', () => {
    const schedule = intervalSchedule(90_000);
    expect(ticks(schedule, UTC_ZONE, '2026-01-01T00:00:00.400Z', 3)).toEqual([
      '2026-01-01 00:01:30 +0000 UTC',
      '2026-01-01 00:03:00 +0000 UTC',
      '2026-01-01 00:04:30 +0000 UTC',
    ]);
  });

  it('moves on with intervals under a second', () => {
    const schedule = intervalSchedule(500);
    expect(ticks(schedule, UTC_ZONE, '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01 00:00:00.5 +0000 UTC',
      '2026-01-01 00:00:01 +0000 UTC',
      '2026-01-01 00:00:01.5 +0000 UTC',
    ]);
  });
});

describe('exclusion dates', () => {
  it('skips every tick on an excluded day, read in the calendar zone', () => {
    const days = exclusionDays(['EXDATE:20260102T150405Z', 'EXDATE:20260104T000000Z,20260105T000000Z'], 'p');
    expect([...days]).toEqual(['2026-01-02', '2026-01-04', '2026-01-05']);
    const schedule = excludingDates(cronSchedule('0 8 * * *', berlin, 'p'), days, berlin);
    expect(ticks(schedule, berlin, '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01 08:00:00 +0100 CET',
      '2026-01-03 08:00:00 +0100 CET',
      '2026-01-06 08:00:00 +0100 CET',
    ]);
  });

  it('compares the local date: a tick late in the evening in New York is still on that day', () => {
    const days = exclusionDays(['EXDATE:20260102T000000Z'], 'p');
    const schedule = excludingDates(cronSchedule('0 22 * * *', newYork, 'p'), days, newYork);
    // 22:00 EST on the 2nd is 03:00 UTC on the 3rd; excluded because it is the 2nd in New York.
    expect(ticks(schedule, newYork, '2026-01-01T12:00:00Z', 2)).toEqual([
      '2026-01-01 22:00:00 -0500 EST',
      '2026-01-03 22:00:00 -0500 EST',
    ]);
  });
});
