/**
 * Sprig's number functions. Integer arithmetic is on int64 and wraps as Go's does; arguments are
 * converted with spf13/cast, so `add "2" 1.9` is 3 and an unconvertible value counts as 0.
 */
import { atoi, toGoFloat, toGoInt } from './conversions.ts';
import { GoFuncError } from './errors.ts';
import type { FuncDef } from './functions.ts';
import { GoInt, typed } from './values.ts';

const i64 = (v: unknown) => toGoInt(v).value;
const wrap = (n: bigint) => new GoInt(BigInt.asIntN(64, n), 'int64');

/** The int64 value that wins every comparison (`max`, `min`; Math.max has no bigint form). */
function extreme(values: unknown[], wins: (x: bigint, y: bigint) => boolean): bigint {
  let best = i64(values[0]);
  for (const v of values.slice(1)) {
    const n = i64(v);
    if (wins(n, best)) best = n;
  }
  return best;
}

function divide(a: bigint, b: bigint, op: 'div' | 'mod'): GoInt {
  if (b === 0n) throw new GoFuncError('runtime error: integer divide by zero');
  return wrap(op === 'div' ? a / b : a % b);
}

/** Go's math.Round-free rounding of Sprig's `round`: half (or `roundOn`) away from the floor. */
function round(v: unknown, places: GoInt, roundOn = 0.5): number {
  const pow = 10 ** Number(places.value);
  const digit = pow * toGoFloat(v);
  const fraction = digit - Math.trunc(digit);
  return (fraction >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

function until(count: bigint, limit: number): number[] {
  const n = Number(count);
  if (Math.abs(n) > limit)
    throw new GoFuncError(`until ${n} would make more elements than the limit of ${limit}`);
  const step = n < 0 ? -1 : 1;
  const out: number[] = [];
  for (let i = 0; step > 0 ? i < n : i > n; i += step) out.push(i);
  return out;
}

export const SPRIG_NUMBERS: Record<string, FuncDef> = {
  atoi: { params: ['string'], call: ([s]) => new GoInt(atoi(s as string) ?? 0n, 'int') },
  int: { params: ['any'], call: ([v]) => toGoInt(v, 'int') },
  int64: { params: ['any'], call: ([v]) => toGoInt(v, 'int64') },
  float64: { params: ['any'], call: ([v]) => toGoFloat(v) },
  add: {
    params: [],
    variadic: 'any',
    call: (args) => wrap(args.reduce<bigint>((sum, a) => sum + i64(a), 0n)),
  },
  add1: { params: ['any'], call: ([a]) => wrap(i64(a) + 1n) },
  sub: { params: ['any', 'any'], call: ([a, b]) => wrap(i64(a) - i64(b)) },
  mul: {
    params: ['any'],
    variadic: 'any',
    call: ([a, ...rest]) => rest.reduce<GoInt>((acc, b) => wrap(acc.value * i64(b)), wrap(i64(a))),
  },
  div: { params: ['any', 'any'], call: ([a, b]) => divide(i64(a), i64(b), 'div') },
  mod: { params: ['any', 'any'], call: ([a, b]) => divide(i64(a), i64(b), 'mod') },
  max: {
    params: ['any'],
    variadic: 'any',
    call: ([a, ...rest]) => wrap(extreme([a, ...rest], (x, y) => x > y)),
  },
  min: {
    params: ['any'],
    variadic: 'any',
    call: ([a, ...rest]) => wrap(extreme([a, ...rest], (x, y) => x < y)),
  },
  floor: { params: ['any'], call: ([a]) => Math.floor(toGoFloat(a)) },
  ceil: { params: ['any'], call: ([a]) => Math.ceil(toGoFloat(a)) },
  round: {
    params: ['any', 'int'],
    variadic: 'float64',
    call: ([a, p, roundOn]) => round(a, p as GoInt, roundOn as number | undefined),
  },
  until: {
    params: ['int'],
    call: ([n], ctx) =>
      typed(
        until((n as GoInt).value, ctx.maxOutput).map((i) => GoInt.of(i)),
        '[]int',
      ),
  },
};
