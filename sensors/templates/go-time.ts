/**
 * Go's time layouts (`2006-01-02T15:04:05Z07:00`) and `time.Time.String()`, in UTC: the zone Argo
 * Events' sensor containers run in, so `date` and `now` print what they printed there.
 */
import { GoTime } from './values.ts';

const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width: number, fill = '0') => String(n).padStart(width, fill);

/** Every layout element Go knows, longest first where one is a prefix of another. */
const ELEMENTS = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '002',
  '__2',
  '_2',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '1',
  '2',
  '3',
  '4',
  '5',
  'PM',
  'pm',
  'Z070000',
  'Z07:00:00',
  'Z0700',
  'Z07:00',
  'Z07',
  '-070000',
  '-07:00:00',
  '-0700',
  '-07:00',
  '-07',
] as const;

/** Formats a time with a Go layout. */
export function formatGoLayout(t: GoTime, layout: string): string {
  const d = new Date(t.ms);
  let out = '';
  let i = 0;
  while (i < layout.length) {
    const c = layout[i]!;
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const digit = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === digit) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        out += fraction(t.nanosecond, j - i - 1, digit === '9', c);
        i = j;
        continue;
      }
    }
    const element = ELEMENTS.find((e) => layout.startsWith(e, i));
    // "2006" must win over "2", and a lone "_" before "2006" is text.
    if (!element || (element === '_2' && layout.startsWith('_2006', i))) {
      out += c;
      i++;
      continue;
    }
    out += formatElement(d, element);
    i += element.length;
  }
  return out;
}

function formatElement(d: Date, element: (typeof ELEMENTS)[number]): string {
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  switch (element) {
    case 'January':
      return LONG_MONTHS[month]!;
    case 'Jan':
      return LONG_MONTHS[month]!.slice(0, 3);
    case 'Monday':
      return LONG_DAYS[d.getUTCDay()]!;
    case 'Mon':
      return LONG_DAYS[d.getUTCDay()]!.slice(0, 3);
    case 'MST':
      return 'UTC';
    case '2006':
      return pad(year, 4);
    case '06':
      return pad(year % 100, 2);
    case '01':
      return pad(month + 1, 2);
    case '1':
      return String(month + 1);
    case '02':
      return pad(day, 2);
    case '_2':
      return pad(day, 2, ' ');
    case '2':
      return String(day);
    case '002':
      return pad(yearDay(d), 3);
    case '__2':
      return pad(yearDay(d), 3, ' ');
    case '15':
      return pad(hour, 2);
    case '03':
      return pad(hour12, 2);
    case '3':
      return String(hour12);
    case '04':
      return pad(d.getUTCMinutes(), 2);
    case '4':
      return String(d.getUTCMinutes());
    case '05':
      return pad(d.getUTCSeconds(), 2);
    case '5':
      return String(d.getUTCSeconds());
    case 'PM':
      return hour >= 12 ? 'PM' : 'AM';
    case 'pm':
      return hour >= 12 ? 'pm' : 'am';
    case 'Z070000':
    case 'Z07:00:00':
    case 'Z0700':
    case 'Z07:00':
    case 'Z07':
      return 'Z';
    case '-070000':
      return '+000000';
    case '-07:00:00':
      return '+00:00:00';
    case '-0700':
      return '+0000';
    case '-07:00':
      return '+00:00';
    case '-07':
      return '+00';
  }
}

function yearDay(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

function fraction(nanos: number, digits: number, trim: boolean, separator: string): string {
  let text = pad(nanos, 9).slice(0, Math.min(digits, 9));
  if (trim) {
    text = text.replace(/0+$/, '');
    return text === '' ? '' : separator + text;
  }
  return separator + text;
}

/** `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`, plus `m=` for a `now`. */
export function goTimeString(t: GoTime): string {
  const text = formatGoLayout(t, '2006-01-02 15:04:05.999999999 -0700 MST');
  return t.monotonic === undefined ? text : `${text} m=+${t.monotonic.toFixed(9)}`;
}

/** RFC 3339 with nanoseconds, as `time.Time` marshals to JSON. */
export function goTimeJson(t: GoTime): string {
  return formatGoLayout(t, '2006-01-02T15:04:05.999999999Z07:00');
}

const started = performance.now();

/** The current time, as Go's `time.Now()` gives it. */
export function goNow(): GoTime {
  const wall = performance.timeOrigin + performance.now();
  const ms = Math.floor(wall);
  return new GoTime(ms, Math.round((wall - ms) * 1e6) % 1e6, (performance.now() - started) / 1000);
}
