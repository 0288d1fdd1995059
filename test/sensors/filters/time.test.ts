import { describe, expect, it } from 'vitest';
import type { TimeFilter } from '../../../crds/index.ts';
import { createCloudEvent } from '../../../eventbus/index.ts';
import { compileTimeFilter, timeFilterProblems } from '../../../sensors/filters/index.ts';

const at = (time: string) =>
  createCloudEvent({ source: 's', type: 'webhook', subject: 'e', data: {}, time: new Date(time) });
const verdict = (filter: TimeFilter, time: string) => compileTimeFilter(filter)(at(time));
const pass = (filter: TimeFilter, time: string) => verdict(filter, time).pass;

describe('time filters', () => {
  // The six instants Argo Events' own test uses, against windows made of two of them.
  const day = ['00:00:00', '04:05:06', '08:09:10', '12:13:14', '16:17:18', '20:21:22'];
  const instants = day.map((t) => `2026-05-04T${t}Z`);

  it('pass events in [start, stop) when start is before stop', () => {
    const filter = { start: '08:09:10', stop: '16:17:18' };
    expect(instants.map((t) => pass(filter, t))).toEqual([false, false, true, true, false, false]);
  });

  it('wrap past midnight when stop is before start', () => {
    const filter = { start: '16:17:18', stop: '08:09:10' };
    expect(instants.map((t) => pass(filter, t))).toEqual([true, true, false, false, true, true]);
    expect(pass({ start: '22:00:00', stop: '06:00:00' }, '2026-05-04T23:59:59.999Z')).toBe(true);
    expect(pass({ start: '22:00:00', stop: '06:00:00' }, '2026-05-04T05:59:59.999Z')).toBe(true);
    expect(pass({ start: '22:00:00', stop: '06:00:00' }, '2026-05-04T06:00:00Z')).toBe(false);
  });

  it('include start and exclude stop, to the millisecond', () => {
    const filter = { start: '02:30:00', stop: '04:30:00' };
    expect(pass(filter, '2026-05-04T02:30:00.000Z')).toBe(true);
    expect(pass(filter, '2026-05-04T02:29:59.999Z')).toBe(false);
    expect(pass(filter, '2026-05-04T04:29:59.999Z')).toBe(true);
    expect(pass(filter, '2026-05-04T04:30:00.000Z')).toBe(false);
  });

  it('pass every event when start equals stop, as Argo Events does, with a warning at validation', () => {
    expect(pass({ start: '10:00:00', stop: '10:00:00' }, '2026-05-04T03:00:00Z')).toBe(true);
    expect(timeFilterProblems({ start: '10:00:00', stop: '10:00:00' })).toEqual([
      {
        path: ['stop'],
        message: 'equals start, so the window is the whole day and every event passes (as in Argo Events)',
        severity: 'warning',
      },
    ]);
  });

  it('read start and stop in the time zone given, and the event time as the instant it names', () => {
    const office = { start: '09:00:00', stop: '17:00:00', timezone: 'America/New_York' };
    expect(pass(office, '2024-07-15T14:00:00Z')).toBe(true); // 10:00 EDT
    expect(pass(office, '2024-07-15T12:00:00Z')).toBe(false); // 08:00 EDT
    expect(pass(office, '2024-07-15T22:00:00Z')).toBe(false); // 18:00 EDT
    expect(pass(office, '2024-01-15T15:00:00Z')).toBe(true); // 10:00 EST
    expect(pass(office, '2024-01-15T13:30:00Z')).toBe(false); // 08:30 EST
    expect(pass(office, '2024-07-15T12:30:00-01:30')).toBe(true); // 14:00Z, 10:00 EDT
    expect(
      pass({ start: '09:00:00', stop: '17:00:00', timezone: 'Asia/Tokyo' }, '2024-07-15T01:00:00Z'),
    ).toBe(true);
    expect(
      pass({ start: '22:00:00', stop: '06:00:00', timezone: 'America/New_York' }, '2024-07-15T02:00:00Z'),
    ).toBe(true); // 22:00 EDT the day before
  });

  it('use the wall clock on the days clocks change', () => {
    const berlin = { start: '02:30:00', stop: '03:30:00', timezone: 'Europe/Berlin' };
    // 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00Z.
    expect(pass(berlin, '2026-03-29T00:59:59Z')).toBe(false); // 01:59:59 CET
    expect(pass(berlin, '2026-03-29T01:00:00Z')).toBe(true); // 03:00:00 CEST
    expect(pass(berlin, '2026-03-29T01:30:00Z')).toBe(false); // 03:30:00 CEST
    // 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00Z, so 02:30 happens twice.
    expect(pass(berlin, '2026-10-25T00:30:00Z')).toBe(true); // 02:30 CEST
    expect(pass(berlin, '2026-10-25T01:30:00Z')).toBe(true); // 02:30 CET
    expect(pass(berlin, '2026-10-25T02:30:00Z')).toBe(false); // 03:30 CET
  });

  it('give the local time and the window as the reason', () => {
    expect(
      verdict({ start: '22:00:00', stop: '06:00:00', timezone: 'Europe/Berlin' }, '2026-01-10T20:15:00Z')
        .reason,
    ).toBe('filters.time: event time 21:15:00 Europe/Berlin is outside [22:00:00, 06:00:00) across midnight');
    expect(verdict({ start: '2:30:00', stop: '04:30:00' }, '2026-01-10T03:04:05.123456789Z').reason).toBe(
      'filters.time: event time 03:04:05 UTC is within [2:30:00, 04:30:00)',
    );
  });

  it('fail an event whose time cannot be read', () => {
    const event = { ...at('2026-01-01T00:00:00Z'), time: 'yesterday' };
    expect(compileTimeFilter({ start: '00:00:00', stop: '12:00:00' })(event)).toEqual({
      pass: false,
      reason: 'filters.time: the event has no readable time ("yesterday")',
    });
  });

  it('refuse malformed times of day and unknown zones, accepting the one-digit hours Go accepts', () => {
    expect(timeFilterProblems({ start: '9:00:00', stop: '17:00:00' })).toEqual([]);
    expect(timeFilterProblems({ start: '24:00:00', stop: '9:5:00', timezone: 'Mars/Olympus' })).toEqual([
      {
        path: ['start'],
        message: 'expected a time of day "hh:mm:ss" (00:00:00 to 23:59:59), found "24:00:00"',
      },
      { path: ['stop'], message: 'expected a time of day "hh:mm:ss" (00:00:00 to 23:59:59), found "9:5:00"' },
      {
        path: ['timezone'],
        message: 'unknown time zone "Mars/Olympus"; use an IANA name such as "Europe/Berlin"',
      },
    ]);
    expect(() => compileTimeFilter({ start: 'noon', stop: '13:00:00' })).toThrow(
      /^filters\.time\.start: expected a time of day/,
    );
  });
});
