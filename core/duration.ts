/**
 * Go's `time.ParseDuration` grammar: an optional sign, then one or more decimal numbers each with a
 * unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `300ms`, `1h30m`, `1.5s`. `0` alone is allowed.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds in a Go duration string, or `undefined` if it does not parse. */
export function parseGoDuration(text: string): number | undefined {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const match = PART.exec(s);
    if (!match || match.index !== start) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return sign * total;
}

/**
 * Milliseconds in an Argo `Int64OrString` duration: a Go duration string, or a bare integer that Argo
 * reads as nanoseconds (a string of digits counts as that integer too).
 */
export function durationToMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value / 1e6 : undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) / 1e6;
  return parseGoDuration(value);
}

/** Renders milliseconds in Go's short form (`1m30s`, `250ms`), for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}
