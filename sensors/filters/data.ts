import { RE2JS } from 're2js';
import { ImpulseError } from '../../core/errors.ts';
import type { DataFilter } from '../../crds/index.ts';
import { compilePath, valueToString } from '../paths/index.ts';
import { compileDataFilterTemplate } from '../templates/index.ts';
import { LazyVerdict } from './combine.ts';

/** A filter's verdict, with the reason a person needs to see why an event did or did not pass. */
export interface FilterVerdict {
  pass: boolean;
  reason: string;
}

/** A compiled data filter: paths parsed and patterns compiled once, at sensor start. */
export type DataFilterFn = (data: unknown) => FilterVerdict;

/**
 * Compiles Argo's `filters.data` with its logical operator. Each filter reads `path` (gjson) from the
 * event data and passes if any of its `value`s matches: strings as RE2 patterns found anywhere in the
 * value (`!=` inverts), numbers compared as floats, booleans by truth. A missing path fails the filter.
 */
export function compileDataFilters(
  filters: readonly DataFilter[],
  operator: 'and' | 'or' = 'and',
  where = 'filters.data',
): DataFilterFn {
  const compiled = filters.map((filter, i) => compileOne(filter, `${where}[${i}]`));
  if (compiled.length === 0) return () => ({ pass: true, reason: 'no data filters' });
  return (data) => {
    const reasons: string[] = [];
    for (const check of compiled) {
      const verdict = check(data);
      if (operator === 'or' && verdict.pass) return verdict;
      if (operator === 'and' && !verdict.pass) return verdict;
      reasons.push(verdict.reason);
    }
    return { pass: operator === 'and', reason: reasons.join('; ') };
  };
}

/** One data filter on its own, so an explanation can show each filter's verdict. */
export function compileDataFilter(filter: DataFilter, where: string): DataFilterFn {
  return compileOne(filter, where);
}

function compileOne(filter: DataFilter, where: string): DataFilterFn {
  // Argo Events: the template gets the value at the path as .Input; its output is what is compared.
  const rewrite =
    filter.template === undefined
      ? undefined
      : compileDataFilterTemplate(filter.template, `${where}.template`);
  const read = compilePath(filter.path);
  const label = `${where} (${filter.path})`;
  const compare = compileComparison(filter, where);
  // A passing event's reason is rarely read, so it is only written out when it is.
  const explainMatch = (value: unknown) => `${label}: ${JSON.stringify(value)} matches ${describe(filter)}`;
  return (data) => {
    const found = read(data);
    if (!found.exists) return { pass: false, reason: `${label}: path does not exist in the event` };
    let value = found.value;
    if (rewrite) {
      const rewritten = rewrite(value);
      if (!rewritten.ok) return { pass: false, reason: `${label}: ${rewritten.reason}` };
      value = rewritten.value;
    }
    const matched = compare(value);
    return matched
      ? new LazyVerdict(true, explainMatch, value)
      : { pass: false, reason: `${label}: ${JSON.stringify(value)} does not match ${describe(filter)}` };
  };
}

function compileComparison(filter: DataFilter, where: string): (value: unknown) => boolean {
  const comparator = filter.comparator ?? '=';
  switch (filter.type) {
    case 'string': {
      const patterns = filter.value.map((v, i) => {
        try {
          return RE2JS.compile(v);
        } catch (err) {
          throw new ImpulseError(
            'INVALID_MANIFEST',
            `${where}.value[${i}]: "${v}" is not a valid RE2 pattern: ${(err as Error).message}`,
          );
        }
      });
      const negate = comparator === '!=';
      return (value) => {
        const text = valueToString(value);
        return patterns.some((p) => p.test(text) !== negate);
      };
    }
    case 'number': {
      const wanted = filter.value.map((v, i) => {
        const n = Number(v.trim());
        if (v.trim() === '' || Number.isNaN(n)) {
          throw new ImpulseError('INVALID_MANIFEST', `${where}.value[${i}]: "${v}" is not a number`);
        }
        return n;
      });
      const test = NUMBER_COMPARATORS[comparator];
      if (!test)
        throw new ImpulseError(
          'INVALID_MANIFEST',
          `${where}.comparator: "${comparator}" is not a comparator`,
        );
      return (value) => {
        const actual = toFloat(value);
        return wanted.some((w) => test(actual, w));
      };
    }
    case 'bool': {
      const wanted = filter.value.map((v, i) => {
        const parsed = parseGoBool(v);
        if (parsed === undefined)
          throw new ImpulseError('INVALID_MANIFEST', `${where}.value[${i}]: "${v}" is not a boolean`);
        return parsed;
      });
      return (value) => wanted.includes(toBool(value));
    }
    default:
      throw new ImpulseError(
        'INVALID_MANIFEST',
        `${where}.type: "${String(filter.type)}" is not string, number or bool`,
      );
  }
}

const NUMBER_COMPARATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

function describe(filter: DataFilter): string {
  return `${filter.comparator ?? '='} ${filter.type} ${JSON.stringify(filter.value)}`;
}

/** Go's `strconv.ParseBool`. */
function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** gjson's `Result.Float()`: numbers as they are, numeric strings parsed, true as 1, anything else 0. */
export function toFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const n = Number.parseFloat(value);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** gjson's `Result.Bool()`: true, a string Go parses as true, or a non-zero number. */
export function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return parseGoBool(value) ?? false;
  return false;
}
