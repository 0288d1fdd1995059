/**
 * How Go values look here. JSON data keeps its JavaScript form, which is what Go's JSON decoding
 * gives a template too: objects are `map[string]interface {}`, arrays `[]interface {}`, numbers
 * `float64`. Go's integers (from `len`, `add`, `atoi`, number literals) are {@link GoInt}, times
 * {@link GoTime}. `undefined` is Go's "no value" (a missing map key); `null` is a nil interface.
 * Collections made by functions with another Go type (`splitList` gives `[]string`) carry that type
 * in a side table, so error messages and `printf "%T"` can name it.
 */

export type IntType = 'int' | 'int64' | 'uint8';

/** A Go integer: `int` or `int64`, both 64 bits wide. */
export class GoInt {
  constructor(
    readonly value: bigint,
    readonly type: IntType = 'int',
  ) {}

  static of(n: number | bigint, type: IntType = 'int'): GoInt {
    return new GoInt(BigInt.asIntN(64, typeof n === 'bigint' ? n : BigInt(Math.trunc(n))), type);
  }

  toNumber(): number {
    return Number(this.value);
  }
}

/** A Go `time.Time`: an instant with nanoseconds, shown in UTC (Argo Events runs in UTC). */
export class GoTime {
  constructor(
    /** Milliseconds since the Unix epoch. */
    readonly ms: number,
    /** Nanoseconds within the millisecond. */
    readonly extraNanos = 0,
    /** Seconds since the process started, when the time came from `now` (Go's monotonic reading). */
    readonly monotonic?: number,
  ) {}

  get nanosecond(): number {
    return (((this.ms % 1000) + 1000) % 1000) * 1e6 + this.extraNanos;
  }
}

/** A Go map type other than `map[string]interface {}`, or a slice type other than `[]interface {}`. */
const TYPES = new WeakMap<object, string>();

/** Marks a new collection with its Go type, and returns it. */
export function typed<T extends object>(value: T, goType: string): T {
  TYPES.set(value, goType);
  return value;
}

export type GoMap = Record<string, unknown>;

export function isMap(v: unknown): v is GoMap {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof GoInt) &&
    !(v instanceof GoTime)
  );
}

/** The element type of a collection: `string` for `[]string` and `map[string]string`. */
export function elemType(v: object): string {
  const t = TYPES.get(v);
  if (!t) return 'interface {}';
  return t.startsWith('[]') ? t.slice(2) : t.slice(t.indexOf(']') + 1);
}

/** The Go type name of a value, as `%T` and error messages print it. */
export function typeName(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
  }
  if (v instanceof GoInt) return v.type;
  if (v instanceof GoTime) return 'time.Time';
  if (Array.isArray(v)) return TYPES.get(v) ?? '[]interface {}';
  if (typeof v === 'object') return TYPES.get(v) ?? 'map[string]interface {}';
  return typeof v;
}

/** The map value at a key, own properties only; `undefined` when the key is not there. */
export function mapGet(m: GoMap, key: string): unknown {
  return Object.hasOwn(m, key) ? m[key] : undefined;
}

/** The keys of a map in the order Go prints and ranges them: sorted by bytes. */
export function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort(compareGoStrings);
}

/** Go's string ordering (by UTF-8 bytes), which for valid text is code-point order. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : 1;
}

/** Go's truth for `if`, `with`, `and`, `or`, `not`: zero values and empty collections are false. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
  }
  if (v instanceof GoInt) return v.value !== 0n;
  if (v instanceof GoTime) return true;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** The length Go's `len` sees: bytes of a string, elements of a slice or map. */
export function goLength(v: unknown): number | undefined {
  if (typeof v === 'string') return utf8Length(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  return undefined;
}

/** Bytes of a string in UTF-8, without encoding it when it is ASCII. */
export function utf8Length(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
  return /^[\x00-\x7f]*$/.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}
