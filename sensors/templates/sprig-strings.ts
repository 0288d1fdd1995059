/**
 * Sprig's string functions. Go strings are bytes: `substr` and `trunc` count UTF-8 bytes as in
 * Sprig, and cutting inside a character leaves U+FFFD where Go would leave a broken byte.
 */
import { strval } from './conversions.ts';
import { GoFuncError } from './errors.ts';
import { formatValue, goQuote } from './format.ts';
import type { FuncContext, FuncDef } from './functions.ts';
import { type GoInt, utf8Length } from './values.ts';

/** Go's unicode.IsSpace set. */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${GO_SPACE}]+$`);
const ANY_SPACE = new RegExp(`[${GO_SPACE}]`, 'g');

const int = (v: unknown) => Number((v as GoInt).value);

/** A byte-indexed slice of a string, as Go's `s[from:to]`; Go's panic text when out of range. */
function byteSlice(s: string, from: number, to: number): string {
  const len = utf8Length(s);
  if (from < 0 || to > len || from > to) {
    throw new GoFuncError(`runtime error: slice bounds out of range [${from}:${to}] with length ${len}`);
  }
  if (len === s.length) return s.slice(from, to);
  return Buffer.from(s, 'utf8').subarray(from, to).toString('utf8');
}

/** Go's one-rune case mapping: a rune whose mapping is several runes stays as it is. */
function mapRunes(s: string, map: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const mapped = map(ch);
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

const upper = (s: string) => mapRunes(s, (c) => c.toUpperCase());
const lower = (s: string) => mapRunes(s, (c) => c.toLowerCase());

/** Go's deprecated strings.Title: upper-cases the first letter of each word, leaves the rest. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? upper(ch) : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  if (ch.charCodeAt(0) <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return new RegExp(`^[${GO_SPACE}]$`).test(ch);
}

function checkSize(length: number, ctx: FuncContext, what: string): void {
  if (length > ctx.maxOutput) {
    throw new GoFuncError(`${what} would make ${length} characters, more than the limit of ${ctx.maxOutput}`);
  }
}

function repeat(count: number, s: string, ctx: FuncContext): string {
  if (count < 0) throw new GoFuncError('strings: negative Repeat count');
  checkSize(count * s.length, ctx, 'repeat');
  return s.repeat(count);
}

/** strings.Replace(src, old, new, -1), including Go's rule for an empty `old`. */
function replaceAll(src: string, old: string, replacement: string, ctx: FuncContext): string {
  if (old === '') {
    const runes = [...src];
    checkSize(src.length + (runes.length + 1) * replacement.length, ctx, 'replace');
    return replacement + runes.map((r) => r + replacement).join('');
  }
  const count = src.split(old).length - 1;
  checkSize(src.length + count * (replacement.length - old.length), ctx, 'replace');
  return src.split(old).join(replacement);
}

function indent(spaces: number, s: string, ctx: FuncContext): string {
  if (spaces < 0) throw new GoFuncError('strings: negative Repeat count');
  const lines = s.split('\n').length;
  checkSize(s.length + lines * spaces, ctx, 'indent');
  const pad = ' '.repeat(spaces);
  return pad + s.replaceAll('\n', `\n${pad}`);
}

function substr(start: number, end: number, s: string): string {
  const len = utf8Length(s);
  if (start < 0) return byteSlice(s, 0, end);
  if (end < 0 || end > len) return byteSlice(s, start, len);
  return byteSlice(s, start, end);
}

function trunc(c: number, s: string): string {
  const len = utf8Length(s);
  if (c < 0 && len + c > 0) return byteSlice(s, len + c, len);
  if (c >= 0 && len > c) return byteSlice(s, 0, c);
  return s;
}

/** strings.Trim(s, cutset): removes leading and trailing runes found in cutset. */
function trimCutset(s: string, cutset: string): string {
  const set = new Set(cutset);
  const runes = [...s];
  let a = 0;
  let b = runes.length;
  while (a < b && set.has(runes[a]!)) a++;
  while (b > a && set.has(runes[b - 1]!)) b--;
  return runes.slice(a, b).join('');
}

/** Declared apart: as an inline property, `toString` would be typed against Object's own. */
const TO_STRING: FuncDef = { params: ['any'], call: ([v]) => strval(v) };

const nonNil = (args: unknown[]) => args.filter((a) => a !== undefined && a !== null);

export const SPRIG_STRINGS: Record<string, FuncDef> = {
  upper: { params: ['string'], call: ([s]) => upper(s as string) },
  lower: { params: ['string'], call: ([s]) => lower(s as string) },
  title: { params: ['string'], call: ([s]) => title(s as string) },
  untitle: {
    params: ['string'],
    call: ([s]) => {
      const [first = '', ...rest] = [...(s as string)];
      return lower(first) + rest.join('');
    },
  },
  trim: {
    params: ['string'],
    call: ([s]) => (s as string).replace(LEADING_SPACE, '').replace(TRAILING_SPACE, ''),
  },
  trimAll: { params: ['string', 'string'], call: ([cutset, s]) => trimCutset(s as string, cutset as string) },
  trimall: { params: ['string', 'string'], call: ([cutset, s]) => trimCutset(s as string, cutset as string) },
  trimPrefix: {
    params: ['string', 'string'],
    call: ([p, s]) => ((s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s),
  },
  trimSuffix: {
    params: ['string', 'string'],
    call: ([x, s]) =>
      (s as string).endsWith(x as string) && (x as string) !== ''
        ? (s as string).slice(0, (s as string).length - (x as string).length)
        : s,
  },
  nospace: { params: ['string'], call: ([s]) => (s as string).replace(ANY_SPACE, '') },
  replace: {
    params: ['string', 'string', 'string'],
    call: ([old, rep, src], ctx) => replaceAll(src as string, old as string, rep as string, ctx),
  },
  contains: { params: ['string', 'string'], call: ([sub, s]) => (s as string).includes(sub as string) },
  hasPrefix: { params: ['string', 'string'], call: ([p, s]) => (s as string).startsWith(p as string) },
  hasSuffix: { params: ['string', 'string'], call: ([p, s]) => (s as string).endsWith(p as string) },
  repeat: { params: ['int', 'string'], call: ([n, s], ctx) => repeat(int(n), s as string, ctx) },
  substr: { params: ['int', 'int', 'string'], call: ([a, b, s]) => substr(int(a), int(b), s as string) },
  trunc: { params: ['int', 'string'], call: ([c, s]) => trunc(int(c), s as string) },
  indent: { params: ['int', 'string'], call: ([n, s], ctx) => indent(int(n), s as string, ctx) },
  nindent: { params: ['int', 'string'], call: ([n, s], ctx) => `\n${indent(int(n), s as string, ctx)}` },
  quote: {
    params: [],
    variadic: 'any',
    call: (args) =>
      nonNil(args)
        .map((a) => goQuote(strval(a)))
        .join(' '),
  },
  squote: {
    params: [],
    variadic: 'any',
    call: (args) =>
      nonNil(args)
        .map((a) => `'${formatValue(a)}'`)
        .join(' '),
  },
  cat: { params: [], variadic: 'any', call: (args) => nonNil(args).map(formatValue).join(' ') },
  plural: {
    params: ['string', 'string', 'int'],
    call: ([one, many, n]) => ((n as GoInt).value === 1n ? one : many),
  },
  toString: TO_STRING,
};
