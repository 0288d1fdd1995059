import { zoneOffset } from '../../core/time-zone.ts';
import type { TimeFilter } from '../../crds/index.ts';
import type { CloudEvent } from '../../eventbus/index.ts';
import { type Check, LazyVerdict } from './combine.ts';
import { type FilterProblem, throwOnErrors } from './problems.ts';

/** `h:mm:ss` or `hh:mm:ss`, as Go's `time.Parse("15:04:05")` reads it. */
const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d):([0-5]\d)$/;
const DAY_MS = 86_400_000;

function parseClock(text: string): number | undefined {
  const m = CLOCK.exec(text);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Checks a time filter as written: both times of day, the zone, and a window that is the whole day. */
export function timeFilterProblems(filter: TimeFilter): FilterProblem[] {
  const problems: FilterProblem[] = [];
  for (const key of ['start', 'stop'] as const) {
    if (parseClock(filter[key] ?? '') === undefined) {
      problems.push({
        path: [key],
        message: `expected a time of day "hh:mm:ss" (00:00:00 to 23:59:59), found ${JSON.stringify(filter[key])}`,
      });
    }
  }
  if (filter.timezone && !knownZone(filter.timezone)) {
    problems.push({
      path: ['timezone'],
      message: `unknown time zone ${JSON.stringify(filter.timezone)}; use an IANA name such as "Europe/Berlin"`,
    });
  }
  if (problems.length === 0 && parseClock(filter.start) === parseClock(filter.stop)) {
    problems.push({
      path: ['stop'],
      message: 'equals start, so the window is the whole day and every event passes (as in Argo Events)',
      severity: 'warning',
    });
  }
  return problems;
}

/**
 * Compiles `filters.time`: the event's `time`, read as a time of day in `timezone` (default UTC),
 * must lie in `[start, stop)`; when stop is before start the window runs past midnight
 * (`[start, 24:00) or [00:00, stop)`), and when they are equal every event passes, as in Argo
 * Events. Times are compared on the wall clock of the zone, so on a day the clocks change a window
 * means the local times it names. An event without a readable `time` fails.
 */
export function compileTimeFilter(filter: TimeFilter, where = 'filters.time'): Check<CloudEvent> {
  throwOnErrors(timeFilterProblems(filter), where);
  const start = parseClock(filter.start)!;
  const stop = parseClock(filter.stop)!;
  const zone = filter.timezone || 'UTC';
  const secondsOfDay = zone === 'UTC' ? (ms: number) => modDay(ms) / 1000 : zonedSecondsOfDay(zone);
  const window =
    start < stop
      ? `[${filter.start}, ${filter.stop})`
      : start > stop
        ? `[${filter.start}, ${filter.stop}) across midnight`
        : `[${filter.start}, ${filter.stop}), the whole day`;
  const inside =
    start < stop
      ? (s: number) => s >= start && s < stop
      : start > stop
        ? (s: number) => s >= start || s < stop
        : () => true;
  const explain = (seconds: number) =>
    `${where}: event time ${clock(seconds)} ${zone} is ${inside(seconds) ? 'within' : 'outside'} ${window}`;
  return (event) => {
    const ms = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
    if (Number.isNaN(ms)) {
      return {
        pass: false,
        reason: `${where}: the event has no readable time (${JSON.stringify(event.time)})`,
      };
    }
    const seconds = secondsOfDay(ms);
    return new LazyVerdict(inside(seconds), explain, seconds);
  };
}

function modDay(ms: number): number {
  return ((ms % DAY_MS) + DAY_MS) % DAY_MS;
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

const BUCKET_MS = 15 * 60_000;

/**
 * Seconds since local midnight in `zone`. Asking Intl for every event is slow, so the zone's UTC
 * offset is kept for the quarter hour the last event fell in (zones change offset on quarter hours);
 * a quarter hour in which the offset changes is worked out event by event.
 */
function zonedSecondsOfDay(zone: string): (ms: number) => number {
  const offsetAt = zoneOffset(zone);
  let bucket = Number.NaN;
  let offset: number | undefined;
  return (ms) => {
    const b = Math.floor(ms / BUCKET_MS);
    if (b !== bucket) {
      bucket = b;
      const first = offsetAt(b * BUCKET_MS);
      offset = first === offsetAt((b + 1) * BUCKET_MS - 1000) ? first : undefined;
    }
    return modDay(ms + (offset ?? offsetAt(ms))) / 1000;
  };
}
