import { CronPattern } from 'croner';
import { ImpulseError } from '../../core/errors.ts';
import type { Zone } from './zone.ts';

/** When a calendar ticks. */
export interface Schedule {
  /** The first tick strictly after `afterMs`, or undefined when there is none in the next years. */
  next(afterMs: number): number | undefined;
}

const SECOND = 1000;
const DAY = 86_400_000;
/** How far ahead a cron expression is searched for its next match (`0 0 29 2 1` needs years). */
const HORIZON_MS = 8 * 366 * DAY;

/**
 * Ticks of a cron expression (5 fields, or 6 with seconds first; names, ranges, steps, `L`, `#`, and
 * `?` meaning `*` as in Argo Events' parser) read in `zone`. When both day-of-month and day-of-week
 * are restricted, a day matching either one matches, as in standard cron.
 *
 * A tick is an instant whose local time matches. Across daylight-saving changes that means:
 * - spring forward: matching local times inside the skipped hour fire once, at the instant the
 *   clocks jump (a daily `30 2 * * *` in Europe/Berlin fires at 03:00 CEST that day; Argo Events
 *   skips it);
 * - fall back: a local time that happens twice fires twice, once per instant (as in Argo Events),
 *   so `*\/30 * * * *` keeps ticking every 30 minutes through the repeated hour.
 */
export function cronSchedule(expression: string, zone: Zone, path: string): Schedule {
  const pattern = parseCron(expression, path);
  const matches = localMatcher(pattern);
  const fixed = zone.name === 'UTC';

  return {
    next(afterMs) {
      let from = Math.floor(afterMs / SECOND) * SECOND + SECOND;
      // Each round either returns or moves past one offset change; a handful is plenty.
      for (let round = 0; round < 8; round++) {
        const offset = fixed ? 0 : zone.offsetAt(from);
        const local = matches(from + offset);
        if (local === undefined) return undefined;
        const candidate = local - offset;
        if (fixed) return candidate;
        const change = nextOffsetChange(zone, from, offset, candidate);
        if (change === undefined) return candidate;
        const after = zone.offsetAt(change);
        // Clocks jumped forward over a matching local time: it fires as the jump happens.
        if (after > offset && local < change + after) return change;
        from = change;
      }
      return undefined;
    },
  };
}

function parseCron(expression: string, path: string): CronPattern {
  const text = expression.trim().replace(/\?/g, '*');
  try {
    return new CronPattern(text);
  } catch (err) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}: "${expression}" is not a cron expression (${(err as Error).message.replace(/^CronPattern: /, '')}); expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first`,
      { cause: err },
    );
  }
}

/**
 * The first wall-clock time at or after `from` (read as if it were UTC, so no daylight saving
 * interferes) that the pattern matches, found by skipping whole months, days, hours and minutes.
 */
function localMatcher(p: CronPattern): (from: number) => number | undefined {
  const dayMatches = (year: number, month: number, day: number): boolean => {
    const length = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const byDate = p.day[day - 1] === 1 || (p.lastDayOfMonth && day === length);
    // Croner keeps, per weekday, a bit per occurrence in the month (1st..5th) and one for "last".
    const occurrences = p.dayOfWeek[new Date(Date.UTC(year, month, day)).getUTCDay()] ?? 0;
    const nth = 1 << (Math.ceil(day / 7) - 1);
    const byWeekday = (occurrences & nth) !== 0 || (day + 7 > length && (occurrences & 32) !== 0);
    return p.starDOM || p.starDOW ? byDate && byWeekday : byDate || byWeekday;
  };
  return (from) => {
    let t = Math.ceil(from / SECOND) * SECOND;
    const limit = t + HORIZON_MS;
    while (t <= limit) {
      const d = new Date(t);
      const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
      const [hour, minute] = [d.getUTCHours(), d.getUTCMinutes()];
      if (p.month[month] !== 1) t = Date.UTC(year, month + 1, 1);
      else if (!dayMatches(year, month, day)) t = Date.UTC(year, month, day + 1);
      else if (p.hour[hour] !== 1) t = Date.UTC(year, month, day, hour + 1);
      else if (p.minute[minute] !== 1) t = Date.UTC(year, month, day, hour, minute + 1);
      else if (p.second[d.getUTCSeconds()] !== 1) t += SECOND;
      else return t;
    }
    return undefined;
  };
}

/**
 * The first instant in (from, to] where the zone's offset differs from `offset`, to the second.
 * Offsets are sampled a day apart (no zone changes twice within a day), then bisected.
 */
function nextOffsetChange(zone: Zone, from: number, offset: number, to: number): number | undefined {
  let lo = from;
  while (lo < to) {
    const hi = Math.min(lo + DAY, to);
    if (zone.offsetAt(hi) !== offset) {
      let a = lo;
      let b = hi;
      while (b - a > SECOND) {
        const mid = Math.floor((a + b) / 2 / SECOND) * SECOND;
        if (mid <= a) break;
        if (zone.offsetAt(mid) === offset) a = mid;
        else b = mid;
      }
      return b;
    }
    lo = hi;
  }
  return undefined;
}

/**
 * Ticks every `everyMs`, counted from the tick before (or from the start): `next(t)` is `t` rounded
 * down to the second plus the interval, as Argo Events' interval schedule does.
 */
export function intervalSchedule(everyMs: number): Schedule {
  return {
    next(afterMs) {
      const aligned = afterMs - (afterMs % SECOND) + everyMs;
      return aligned > afterMs ? aligned : afterMs + everyMs;
    },
  };
}

/**
 * Skips the ticks that fall on an excluded day: the tick's date in `zone` equals an exclusion's
 * year, month and day (Argo Events compares only those of each `EXDATE:` date-time).
 */
export function excludingDates(schedule: Schedule, days: ReadonlySet<string>, zone: Zone): Schedule {
  if (days.size === 0) return schedule;
  return {
    next(afterMs) {
      let tick = schedule.next(afterMs);
      for (let skipped = 0; tick !== undefined && skipped < 100_000; skipped++) {
        const local = new Date(tick + zone.offsetAt(tick));
        if (!days.has(local.toISOString().slice(0, 10))) return tick;
        tick = schedule.next(tick);
      }
      return undefined;
    },
  };
}

/** The days (`YYYY-MM-DD`) named by `EXDATE:20260101T000000Z[,...]` entries. */
export function exclusionDays(entries: readonly string[] | undefined, path: string): Set<string> {
  const days = new Set<string>();
  for (const [i, entry] of (entries ?? []).entries()) {
    const match = /^EXDATE:(.+)$/.exec(entry.trim());
    if (!match) {
      throw new ImpulseError(
        'INVALID_MANIFEST',
        `${path}[${i}]: expected EXDATE:YYYYMMDDTHHMMSSZ, found "${entry}"`,
      );
    }
    for (const value of match[1]!.split(',')) {
      const date = /^(\d{4})(\d{2})(\d{2})T\d{6}Z$/.exec(value);
      if (!date) {
        throw new ImpulseError(
          'INVALID_MANIFEST',
          `${path}[${i}]: "${value}" is not a date-time like 20260101T000000Z`,
        );
      }
      days.add(`${date[1]}-${date[2]}-${date[3]}`);
    }
  }
  return days;
}
