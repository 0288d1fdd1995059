import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { formatGoTime, loadZone, UTC_ZONE } from '../../../eventsources/calendar/index.ts';

describe("Go's time.Time string form", () => {
  it('prints the date, the time, the numeric offset and the abbreviation Go prints', () => {
    const at = Date.parse('2026-07-01T12:00:00Z');
    const cases: Array<[string, string]> = [
      ['UTC', '2026-07-01 12:00:00 +0000 UTC'],
      ['Europe/Berlin', '2026-07-01 14:00:00 +0200 CEST'],
      ['America/New_York', '2026-07-01 08:00:00 -0400 EDT'],
      ['Asia/Kolkata', '2026-07-01 17:30:00 +0530 IST'],
      ['Asia/Dubai', '2026-07-01 16:00:00 +0400 +04'],
      ['Australia/Sydney', '2026-07-01 22:00:00 +1000 AEST'],
    ];
    for (const [zone, expected] of cases) expect(formatGoTime(at, loadZone(zone, 'p'))).toBe(expected);
    expect(formatGoTime(Date.parse('2026-01-01T12:00:00Z'), loadZone('Europe/Berlin', 'p'))).toBe(
      '2026-01-01 13:00:00 +0100 CET',
    );
  });

  it('prints a fraction of a second only when there is one, without trailing zeros', () => {
    expect(formatGoTime(Date.parse('2026-01-02T15:04:05.120Z'), UTC_ZONE)).toBe(
      '2026-01-02 15:04:05.12 +0000 UTC',
    );
  });

  it('rejects an unknown zone, naming the field', () => {
    try {
      loadZone('Mars/Olympus', 'spec.calendar.x.timezone');
      expect.unreachable();
    } catch (err) {
      expect(isImpulseError(err, 'INVALID_MANIFEST')).toBe(true);
      expect((err as Error).message).toContain('spec.calendar.x.timezone: unknown time zone "Mars/Olympus"');
    }
  });
});
