import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImpulseError } from '../../core/errors.ts';
import { zoneOffset } from '../../core/time-zone.ts';

/**
 * A time zone as the calendar needs it: the UTC offset at an instant (from the runtime's ICU data)
 * and the abbreviation Go would print (`CET`, `EDT`, `+04`), read from the system's tzdata, which is
 * where Go reads it too.
 */
export interface Zone {
  readonly name: string;
  /** Milliseconds to add to an instant to get the local wall-clock time. */
  offsetAt(instantMs: number): number;
  /** The abbreviation in force at the instant, as Go's `time.Time.String` prints it. */
  abbreviationAt(instantMs: number): string;
}

export const UTC_ZONE: Zone = { name: 'UTC', offsetAt: () => 0, abbreviationAt: () => 'UTC' };

/** Where tzdata lives; `ZONEINFO` overrides it, as for Go programs. */
const ZONEINFO_DIR = process.env.ZONEINFO ?? '/usr/share/zoneinfo';

/** Loads an IANA zone (`Europe/Berlin`); `INVALID_MANIFEST` naming `path` for an unknown one. */
export function loadZone(name: string, path: string): Zone {
  if (name === '' || name === 'UTC' || name === 'Etc/UTC') return UTC_ZONE;
  let offsetAt: (instantMs: number) => number;
  try {
    offsetAt = zoneOffset(name);
  } catch (err) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}: unknown time zone "${name}"; use an IANA name such as "Europe/Berlin"`,
      { cause: err },
    );
  }
  const abbreviations = readAbbreviations(name);
  return {
    name,
    offsetAt,
    abbreviationAt: (instantMs) =>
      abbreviations?.at(instantMs, offsetAt(instantMs)) ?? numericAbbreviation(offsetAt(instantMs)),
  };
}

/** `+04`, `-0330`: how tzdata names zones without a letter abbreviation. */
function numericAbbreviation(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = minutes % 60 === 0 ? '' : String(minutes % 60).padStart(2, '0');
  return `${sign}${hh}${mm}`;
}

interface Abbreviations {
  at(instantMs: number, offsetMs: number): string | undefined;
}

/**
 * The abbreviations of a TZif file (RFC 8536): the transitions of its 64-bit block, and for instants
 * after the last transition the names in its POSIX TZ footer. Undefined when the file is missing
 * or unreadable; the caller then prints the numeric offset.
 */
function readAbbreviations(name: string): Abbreviations | undefined {
  let data: Buffer;
  try {
    if (name.includes('..')) return undefined;
    data = readFileSync(join(ZONEINFO_DIR, name));
  } catch {
    return undefined;
  }
  try {
    return parseTzif(data);
  } catch {
    return undefined;
  }
}

interface Counts {
  isut: number;
  isstd: number;
  leap: number;
  time: number;
  type: number;
  char: number;
}

function counts(data: Buffer, at: number): Counts {
  if (data.toString('latin1', at, at + 4) !== 'TZif') throw new Error('not a TZif file');
  const n = (i: number) => data.readUInt32BE(at + 20 + 4 * i);
  return { isut: n(0), isstd: n(1), leap: n(2), time: n(3), type: n(4), char: n(5) };
}

function parseTzif(data: Buffer): Abbreviations {
  const version = data[4] ?? 0;
  let c = counts(data, 0);
  let at = 44;
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the 32-bit block: the 64-bit one after it says the same, and more.
    at += c.time * 4 + c.time + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut;
    c = counts(data, at);
    at += 44;
    timeSize = 8;
  }
  const times: number[] = [];
  for (let i = 0; i < c.time; i++) {
    times.push(timeSize === 8 ? Number(data.readBigInt64BE(at + i * 8)) : data.readInt32BE(at + i * 4));
  }
  at += c.time * timeSize;
  const typeOf = [...data.subarray(at, at + c.time)];
  at += c.time;
  const types: Array<{ offset: number; abbreviation: string }> = [];
  const charsAt = at + c.type * 6;
  for (let i = 0; i < c.type; i++) {
    const offset = data.readInt32BE(at + i * 6);
    const index = data[at + i * 6 + 5] ?? 0;
    const end = data.indexOf(0, charsAt + index);
    types.push({ offset, abbreviation: data.toString('latin1', charsAt + index, end) });
  }
  at = charsAt + c.char + c.leap * (timeSize + 4) + c.isstd + c.isut;
  const footer = version >= 0x32 ? parseFooter(data.toString('latin1', at).trim()) : undefined;

  return {
    at(instantMs, offsetMs) {
      const seconds = Math.floor(instantMs / 1000);
      const last = times.length - 1;
      if (footer && (last < 0 || seconds >= times[last]!)) {
        if (offsetMs === footer.std.offset * 1000) return footer.std.name;
        if (footer.dst && offsetMs === footer.dst.offset * 1000) return footer.dst.name;
      }
      let lo = 0;
      let hi = last;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (times[mid]! <= seconds) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const type = found >= 0 ? types[typeOf[found]!] : types[0];
      return type && type.offset * 1000 === offsetMs ? type.abbreviation : undefined;
    },
  };
}

interface FooterZone {
  name: string;
  /** Seconds east of UTC. */
  offset: number;
}

/**
 * The zone names of a POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3` or `<+04>-4`. Only the
 * names and offsets matter here: which one is in force comes from the measured offset.
 */
function parseFooter(tz: string): { std: FooterZone; dst?: FooterZone } | undefined {
  const match =
    /^(<[^>]+>|[A-Za-z]+)([-+]?\d+(?::\d+){0,2})(?:(<[^>]+>|[A-Za-z]+)([-+]?\d+(?::\d+){0,2})?)?/.exec(tz);
  if (!match) return undefined;
  const name = (raw: string) => raw.replace(/^<|>$/g, '');
  const seconds = (raw: string) => {
    const sign = raw.startsWith('-') ? -1 : 1;
    const [h = 0, m = 0, s = 0] = raw.replace(/^[-+]/, '').split(':').map(Number);
    return sign * (h * 3600 + m * 60 + s);
  };
  // POSIX counts west of UTC as positive; flip to east.
  const std = { name: name(match[1]!), offset: -seconds(match[2]!) };
  if (!match[3]) return { std };
  const dstOffset = match[4] ? -seconds(match[4]) : std.offset + 3600;
  return { std, dst: { name: name(match[3]), offset: dstOffset } };
}
