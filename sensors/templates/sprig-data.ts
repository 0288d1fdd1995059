/**
 * Sprig's defaults, JSON, dict and list functions. None of them changes its arguments: a template
 * never alters the event it reads (Sprig's mutating `set`, `unset` and `append` are left out).
 */
import { strval } from './conversions.ts';
import { GoFuncError } from './errors.ts';
import type { FuncDef } from './functions.ts';
import { goJson, goJsonParse } from './go-json.ts';
import { compareGoStrings, GoInt, type GoMap, GoTime, isMap, mapGet, sortedKeys, typed } from './values.ts';

/** Sprig's `empty`: nil, zero numbers, false, and empty strings, lists and maps. */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  switch (typeof v) {
    case 'string':
      return v.length === 0;
    case 'boolean':
      return !v;
    case 'number':
      return v === 0;
  }
  if (v instanceof GoInt) return v.value === 0n;
  if (v instanceof GoTime) return false;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

/** A new map without a prototype, so any key (even `__proto__`) is just a key. */
export function newMap(): GoMap {
  return Object.create(null) as GoMap;
}

/** Sprig's `strslice`: a list as strings, nil elements dropped; a single value as a one-element list. */
function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((e) => e !== undefined && e !== null).map(strval);
  if (v === undefined || v === null) return [];
  return [strval(v)];
}

/** strings.Split, including Go's rule for an empty separator (one element per character). */
function split(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

function asMap(v: unknown): GoMap {
  return (v ?? newMap()) as GoMap;
}

/** reflect.DeepEqual over template values: same Go types and equal contents. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a instanceof GoInt || b instanceof GoInt) {
    return a instanceof GoInt && b instanceof GoInt && a.type === b.type && a.value === b.value;
  }
  if (a instanceof GoTime || b instanceof GoTime) {
    return a instanceof GoTime && b instanceof GoTime && a.ms === b.ms && a.extraNanos === b.extraNanos;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
    );
  }
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b)) return false;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return (a ?? null) === (b ?? null);
}

function list(v: unknown, name: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new GoFuncError(`Cannot find ${name} on type ${v === null || v === undefined ? 'nil' : typeof v}`);
}

const json =
  (escapeHtml: boolean, indent = '') =>
  (v: unknown) =>
    goJson(v, { escapeHtml, indent });

function quietly(fn: (v: unknown) => string): (args: unknown[]) => string {
  return ([v]) => {
    try {
      return fn(v);
    } catch {
      return '';
    }
  };
}

export const SPRIG_DATA: Record<string, FuncDef> = {
  default: {
    params: ['any'],
    variadic: 'any',
    call: ([d, ...given]) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]),
  },
  empty: { params: ['any'], call: ([v]) => isEmpty(v) },
  coalesce: { params: [], variadic: 'any', call: (args) => args.find((a) => !isEmpty(a)) ?? null },
  ternary: { params: ['any', 'any', 'bool'], call: ([t, f, cond]) => (cond ? t : f) },
  toJson: { params: ['any'], call: quietly(json(true)) },
  toPrettyJson: { params: ['any'], call: quietly(json(true, '  ')) },
  toRawJson: { params: ['any'], call: ([v]) => json(false)(v) },
  mustToJson: { params: ['any'], call: ([v]) => json(true)(v) },
  fromJson: {
    params: ['string'],
    call: ([s]) => {
      const parsed = goJsonParse(s as string);
      return 'value' in parsed ? parsed.value : null;
    },
  },
  mustFromJson: {
    params: ['string'],
    call: ([s]) => {
      const parsed = goJsonParse(s as string);
      if ('error' in parsed) throw new GoFuncError(parsed.error);
      return parsed.value;
    },
  },
  list: { params: [], variadic: 'any', call: (args) => [...args] },
  dict: {
    params: [],
    variadic: 'any',
    call: (args) => {
      const m = newMap();
      for (let i = 0; i < args.length; i += 2) m[strval(args[i])] = i + 1 < args.length ? args[i + 1] : '';
      return m;
    },
  },
  get: {
    params: ['map', 'string'],
    call: ([m, key]) => {
      const v = mapGet(asMap(m), key as string);
      return v === undefined ? '' : v;
    },
  },
  hasKey: { params: ['map', 'string'], call: ([m, key]) => Object.hasOwn(asMap(m), key as string) },
  keys: {
    params: [],
    variadic: 'map',
    call: (maps) =>
      typed(
        maps.flatMap((m) => sortedKeys(asMap(m))),
        '[]string',
      ),
  },
  values: { params: ['map'], call: ([m]) => sortedKeys(asMap(m)).map((k) => asMap(m)[k]) },
  pick: {
    params: ['map'],
    variadic: 'string',
    call: ([m, ...names]) => {
      const out = newMap();
      for (const k of names as string[]) if (Object.hasOwn(asMap(m), k)) out[k] = asMap(m)[k];
      return out;
    },
  },
  omit: {
    params: ['map'],
    variadic: 'string',
    call: ([m, ...names]) => {
      const out = newMap();
      for (const k of Object.keys(asMap(m))) if (!(names as string[]).includes(k)) out[k] = asMap(m)[k];
      return out;
    },
  },
  pluck: {
    params: ['string'],
    variadic: 'map',
    call: ([key, ...maps]) =>
      maps.filter((m) => Object.hasOwn(asMap(m), key as string)).map((m) => asMap(m)[key as string]),
  },
  first: {
    params: ['any'],
    call: ([l]) => {
      const items = list(l, 'first');
      return items.length === 0 ? null : items[0];
    },
  },
  last: {
    params: ['any'],
    call: ([l]) => {
      const items = list(l, 'last');
      return items.length === 0 ? null : items[items.length - 1];
    },
  },
  uniq: {
    params: ['any'],
    call: ([l]) => {
      const out: unknown[] = [];
      for (const e of list(l, 'uniq')) {
        if (!out.some((o) => deepEqual(o, e))) out.push(e);
      }
      return out;
    },
  },
  has: {
    params: ['any', 'any'],
    call: ([needle, haystack]) =>
      haystack !== null && list(haystack, 'has').some((e) => deepEqual(e, needle)),
  },
  sortAlpha: { params: ['any'], call: ([l]) => typed(strslice(l).sort(compareGoStrings), '[]string') },
  toStrings: { params: ['any'], call: ([l]) => typed(strslice(l), '[]string') },
  join: { params: ['string', 'any'], call: ([sep, l]) => strslice(l).join(sep as string) },
  splitList: {
    params: ['string', 'string'],
    call: ([sep, s]) => typed(split(s as string, sep as string), '[]string'),
  },
  split: {
    params: ['string', 'string'],
    call: ([sep, s]) => {
      const m = newMap();
      split(s as string, sep as string).forEach((part, i) => {
        m[`_${i}`] = part;
      });
      return typed(m, 'map[string]string');
    },
  },
};
