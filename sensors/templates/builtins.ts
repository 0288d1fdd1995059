/** Go text/template's built-in functions, with Go's comparison and indexing rules. */
import { GoFuncError } from './errors.ts';
import { formatValue, sprint, sprintf, sprintln } from './format.ts';
import type { FuncDef } from './functions.ts';
import { elemType, GoInt, GoTime, goLength, isMap, isTrue, mapGet, typeName } from './values.ts';

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): Kind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  return v instanceof GoInt ? 'int' : 'invalid';
}

/** A missing value or a nil interface: both are Go's "nil" to the comparison functions. */
const isNil = (v: unknown) => v === undefined || v === null;

function scalar(v: unknown): number | bigint | string | boolean {
  return v instanceof GoInt ? v.value : (v as number | string | boolean);
}

function describe(v: unknown): string {
  return `${formatValue(v)}: ${typeName(v)}`;
}

/** Go's `eq`: true when the first argument equals any of the others. */
function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new GoFuncError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (!isNil(arg1) && !isNil(arg)) {
        throw new GoFuncError(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg)}`);
      }
    } else if (k1 !== 'invalid') {
      truth = scalar(arg1) === scalar(arg);
    } else {
      const sameKind =
        isNil(arg1) ||
        isNil(arg) ||
        (Array.isArray(arg1) && Array.isArray(arg)) ||
        (isMap(arg1) && isMap(arg)) ||
        (arg1 instanceof GoTime && arg instanceof GoTime);
      if (!sameKind) throw new GoFuncError(`non-comparable types ${describe(arg1)}, ${describe(arg)}`);
      if (isNil(arg1) || isNil(arg)) truth = isNil(arg1) === isNil(arg);
      else if (arg1 instanceof GoTime && arg instanceof GoTime) {
        truth = arg1.ms === arg.ms && arg1.extraNanos === arg.extraNanos && arg1.monotonic === arg.monotonic;
      } else throw new GoFuncError(`non-comparable type ${describe(arg)}`);
    }
    if (truth) return true;
  }
  return false;
}

/** Go's `lt`: only basic values of one kind, and never booleans. */
function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k2 === 'invalid') throw new GoFuncError('invalid type for comparison');
  if (k1 !== k2)
    throw new GoFuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (k1 === 'bool') throw new GoFuncError('invalid type for comparison');
  return scalar(a) < scalar(b);
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

function indexArg(index: unknown, length: number): number {
  if (index === undefined) throw new GoFuncError('cannot index slice/array with nil');
  if (!(index instanceof GoInt))
    throw new GoFuncError(`cannot index slice/array with type ${typeName(index)}`);
  if (index.value < 0n || index.value >= BigInt(length))
    throw new GoFuncError(`index out of range: ${index.value}`);
  return Number(index.value);
}

/** Go's `index x 1 2`: x[1][2] over slices, strings (giving a byte) and maps. */
function index(item: unknown, ...indexes: unknown[]): unknown {
  let current = item;
  if (current === undefined) throw new GoFuncError('index of untyped nil');
  for (const i of indexes) {
    if (current === undefined || current === null) throw new GoFuncError('index of nil pointer');
    if (typeof current === 'string') {
      const bytes = Buffer.from(current, 'utf8');
      current = new GoInt(BigInt(bytes[indexArg(i, bytes.length)]!), 'uint8');
    } else if (Array.isArray(current)) {
      current = current[indexArg(i, current.length)];
    } else if (isMap(current)) {
      if (i === undefined) throw new GoFuncError('value is nil; should be of type string');
      if (typeof i !== 'string') throw new GoFuncError(`value has type ${typeName(i)}; should be string`);
      const found = mapGet(current, i);
      current = found !== undefined ? found : elemType(current) === 'string' ? '' : null;
    } else {
      throw new GoFuncError(`can't index item of type ${typeName(current)}`);
    }
  }
  return current;
}

function length(item: unknown): GoInt {
  if (item === undefined) throw new GoFuncError('len of nil pointer');
  const n = goLength(item);
  if (n === undefined) throw new GoFuncError(`len of type ${typeName(item)}`);
  return GoInt.of(n);
}

/** The text of the arguments, as Go's `html`, `js` and `urlquery` see them. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined ? '<no value>' : a)));
}

const HTML_ESCAPES: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp >= 0x80 && !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/** Go's `url.QueryEscape`. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export const BUILTINS: Record<string, FuncDef> = {
  and: { params: ['value'], variadic: 'value', lazy: 'and', call: () => undefined },
  or: { params: ['value'], variadic: 'value', lazy: 'or', call: () => undefined },
  not: { params: ['value'], call: ([a]) => !isTrue(a) },
  len: { params: ['value'], call: ([a]) => length(a) },
  index: { params: ['value'], variadic: 'value', call: ([item, ...rest]) => index(item, ...rest) },
  eq: { params: ['value'], variadic: 'value', call: ([a, ...rest]) => eq(a, ...rest) },
  ne: { params: ['value', 'value'], call: ([a, b]) => !eq(a, b) },
  lt: { params: ['value', 'value'], call: ([a, b]) => lt(a, b) },
  le: { params: ['value', 'value'], call: ([a, b]) => le(a, b) },
  gt: { params: ['value', 'value'], call: ([a, b]) => !le(a, b) },
  ge: { params: ['value', 'value'], call: ([a, b]) => !lt(a, b) },
  print: { params: [], variadic: 'any', call: (args) => sprint(args) },
  println: { params: [], variadic: 'any', call: (args) => sprintln(args) },
  printf: {
    params: ['string'],
    variadic: 'any',
    call: ([format, ...args], ctx) => {
      try {
        return sprintf(format as string, args, ctx.maxOutput);
      } catch (err) {
        throw new GoFuncError((err as Error).message);
      }
    },
  },
  html: {
    params: [],
    variadic: 'any',
    call: (args) => evalArgs(args).replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c]!),
  },
  js: { params: [], variadic: 'any', call: (args) => jsEscape(evalArgs(args)) },
  urlquery: { params: [], variadic: 'any', call: (args) => queryEscape(evalArgs(args)) },
};
