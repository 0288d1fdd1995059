/**
 * Value rules of govaluate, on the values a parsed JSON document holds: numbers are float64,
 * `==` is Go's `reflect.DeepEqual` (so `1 == "1"` is false), and `+` with a string on either side
 * formats the other side the way Go's `%v` does.
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep, type-aware equality; NaN equals nothing, as a Go float64 does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (typeof a !== 'object' || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (Array.isArray(b) || !isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

/** A short description of a value for error messages: `string "main"`, `number 3`, `null`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return `bool ${value}`;
  if (typeof value === 'number') return `number ${formatGoNumber(value)}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  if (typeof value === 'string') return `string ${text}`;
  return `${Array.isArray(value) ? 'list' : typeof value === 'object' ? 'object' : typeof value} ${text}`;
}

/**
 * A number as Go's `%v` prints a float64: the shortest digits that read back to the same number,
 * in exponent form (`1e+06`, `1.5e-05`) when the exponent is below -4 or at least 6.
 */
export function formatGoNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const exponential = Math.abs(n).toExponential(); // shortest round-trip digits, e.g. "1.2345e+8"
  const e = exponential.indexOf('e');
  const exponent = Number(exponential.slice(e + 1));
  const sign = n < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 6) {
    const mantissa = exponential.slice(0, e);
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return String(n); // between 1e-4 and 1e6 JavaScript prints plain decimals, as Go does
}

/** Go's `%v` for the values an expression can hold. */
export function formatGoValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatGoNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(formatGoValue).join(' ')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${formatGoValue(value[k])}`).join(' ')}]`;
  }
  return String(value);
}

const INT64_MIN = -(2n ** 63n);

/** Go's `int64(f)`; out of range (and NaN) gives the minimum int64, as on amd64. */
export function toInt64(n: number): bigint {
  if (!Number.isFinite(n) || n >= 2 ** 63 || n < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(n));
}

/** Go's `uint64(f)` for a shift, reduced to 64 bits. */
export function toUint64(n: number): bigint {
  if (n >= 0 && n < 2 ** 64) return BigInt(Math.trunc(n));
  return BigInt.asUintN(64, toInt64(n));
}
