/**
 * The value conversions Sprig relies on: `strval` (its `toString`) and spf13/cast's `ToInt64`,
 * `ToInt` and `ToFloat64`, which never fail (an unconvertible value is 0).
 */
import { formatValue } from './format.ts';
import { goTimeString } from './go-time.ts';
import { parseIntLiteral } from './literals.ts';
import { GoInt, GoTime, type IntType } from './values.ts';

/** Sprig's `strval`: strings as they are, times as `String()`, anything else as `%v`. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof GoTime) return goTimeString(v);
  return formatValue(v);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** cast's trimDecimal: "12.50" reads as "12", so strings with a fraction truncate like floats. */
function trimDecimal(s: string): string {
  if (!s.includes('.')) return s;
  const m = /^([-+]?\d*)(\.\d*)?$/.exec(s);
  if (!m) return s;
  const whole = m[1] ?? '';
  return whole === '' ? '0' : whole === '-' || whole === '+' ? `${whole}0` : whole;
}

/** cast.ToInt64 (or ToInt): numbers truncated, booleans 1/0, strings parsed in base 0, else 0. */
export function toGoInt(v: unknown, type: IntType = 'int64'): GoInt {
  if (v instanceof GoInt) return new GoInt(v.value, type);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return new GoInt(INT64_MIN, type);
    return GoInt.of(Math.trunc(v), type);
  }
  if (typeof v === 'boolean') return new GoInt(v ? 1n : 0n, type);
  if (typeof v === 'string' && v !== '') {
    const n = parseIntLiteral(trimDecimal(v));
    return new GoInt(n !== undefined && n >= INT64_MIN && n <= INT64_MAX ? n : 0n, type);
  }
  return new GoInt(0n, type);
}

/** Go's `strconv.ParseFloat(s, 64)`: decimal, `Inf`, `NaN`; undefined when it fails. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (!/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const f = Number(s.replaceAll('_', ''));
  return Number.isFinite(f) ? f : undefined;
}

/** cast.ToFloat64. */
export function toGoFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoInt) return Number(v.value);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v !== '') return parseGoFloat(v) ?? 0;
  return 0;
}

/** Go's `strconv.Atoi`: optional sign and decimal digits only; undefined when it fails. */
export function atoi(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}
