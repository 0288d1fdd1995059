import type { Query } from './ast.ts';
import { globMatch } from './glob.ts';

/** Go's `strconv.ParseBool` after lower-casing, as gjson's `~true` / `~false` use it. */
function parseBool(text: string): boolean | undefined {
  switch (text.toLowerCase()) {
    case '1':
    case 't':
    case 'true':
      return true;
    case '0':
    case 'f':
    case 'false':
      return false;
    default:
      return undefined;
  }
}

function trueish(value: unknown): boolean {
  if (value === true) return true;
  if (typeof value === 'string') return parseBool(value) === true;
  if (typeof value === 'number') return value !== 0;
  return false;
}

function falseish(found: boolean, value: unknown): boolean {
  if (!found || value === null || value === false) return true;
  if (typeof value === 'string') return parseBool(value) === false;
  if (typeof value === 'number') return value === 0;
  return false;
}

/**
 * Orders strings by code point, which is the byte order Go uses for UTF-8 strings (JavaScript's
 * own `<` compares UTF-16 units, which differs once characters beyond U+FFFF are involved).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Whether one array element passes a query, given what the query's path found on it. This follows
 * gjson's rules: strings compare as strings (or as `*`/`?` patterns with `%`), numbers compare with
 * the right-hand side read as a number, `true`/`false` have their own small rules, and `null`,
 * objects and arrays never pass a comparison (only an existence query).
 */
export function queryMatches(query: Query, found: boolean, foundValue: unknown): boolean {
  let exists = found;
  let value = foundValue;
  let rhs = query.value;
  if (query.tilde !== undefined) {
    let ish: boolean;
    switch (query.tilde) {
      case '*':
        ish = found;
        break;
      case 'null':
        ish = !found || value === null;
        break;
      case 'true':
        ish = found && trueish(value);
        break;
      case 'false':
        ish = falseish(found, value);
        break;
      default:
        return false;
    }
    exists = true;
    value = ish;
    rhs = 'true';
  }
  if (!exists) return false;
  if (query.op === undefined) return true;
  if (typeof value === 'string') {
    switch (query.op) {
      case '=':
        return value === rhs;
      case '!=':
        return value !== rhs;
      case '<':
        return compareCodePoints(value, rhs) < 0;
      case '<=':
        return compareCodePoints(value, rhs) <= 0;
      case '>':
        return compareCodePoints(value, rhs) > 0;
      case '>=':
        return compareCodePoints(value, rhs) >= 0;
      case '%':
        return query.pattern !== undefined && globMatch(query.pattern, value);
      case '!%':
        return query.pattern !== undefined && !globMatch(query.pattern, value);
    }
  }
  if (typeof value === 'number') {
    const n = query.number;
    switch (query.op) {
      case '=':
        return value === n;
      case '!=':
        return value !== n;
      case '<':
        return value < n;
      case '<=':
        return value <= n;
      case '>':
        return value > n;
      case '>=':
        return value >= n;
      default:
        return false;
    }
  }
  if (value === true) {
    switch (query.op) {
      case '=':
        return rhs === 'true';
      case '!=':
        return rhs !== 'true';
      case '>':
        return rhs === 'false';
      case '>=':
        return true;
      default:
        return false;
    }
  }
  if (value === false) {
    switch (query.op) {
      case '=':
        return rhs === 'false';
      case '!=':
        return rhs !== 'false';
      case '<':
        return rhs === 'true';
      case '<=':
        return true;
      default:
        return false;
    }
  }
  return false;
}
