/**
 * Sprig's encoding, hashing, regular expression and date functions. Patterns are RE2 (as Go's
 * regexp), run by re2js in linear time; dates print in UTC.
 */
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import { GoFuncError } from './errors.ts';
import type { FuncContext, FuncDef } from './functions.ts';
import { formatGoLayout, goNow } from './go-time.ts';
import { GoInt, GoTime, typed } from './values.ts';

const BASE64 = /^[A-Za-z0-9+/]*$/;

/** base64.StdEncoding.DecodeString, strict about padding; Sprig returns the error text on failure. */
function b64dec(s: string): string {
  const body = s.replace(/\r|\n/g, '');
  const stripped = body.replace(/={1,2}$/, '');
  const bad = [...stripped].findIndex((c) => !BASE64.test(c));
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  if (body.length % 4 !== 0 || (body.length - stripped.length > 0 && stripped.length % 4 < 2)) {
    return `illegal base64 data at input byte ${Math.min(stripped.length, body.length - (body.length % 4))}`;
  }
  return Buffer.from(body, 'base64').toString('utf8');
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function b32enc(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

const hash = (algorithm: string) => (s: string) => createHash(algorithm).update(s, 'utf8').digest('hex');

const PATTERNS = new Map<string, RE2JS>();

/** Compiles a pattern once; an invalid one is Go's MustCompile panic, as an error. */
function compile(pattern: string): RE2JS {
  let re = PATTERNS.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (err) {
      throw new GoFuncError(`regexp: Compile(${JSON.stringify(pattern)}): ${(err as Error).message}`);
    }
    if (PATTERNS.size > 256) PATTERNS.clear();
    PATTERNS.set(pattern, re);
  }
  return re;
}

/** Every match as [start, end], with Go's rule that an empty match right after a match is skipped. */
function matches(
  re: RE2JS,
  s: string,
  n: number,
): Array<{ start: number; end: number; groups: (string | null)[] }> {
  const m = re.matcher(s);
  const out: Array<{ start: number; end: number; groups: (string | null)[] }> = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && (n < 0 || out.length < n)) {
    if (!m.find(pos)) break;
    const start = m.start();
    const end = m.end();
    const accept = !(end === start && start === prevEnd);
    if (end === pos) pos += s.codePointAt(pos)! > 0xffff ? 2 : 1;
    else pos = end;
    prevEnd = end;
    if (accept) {
      const groups: (string | null)[] = [];
      for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
      out.push({ start, end, groups });
    }
  }
  return out;
}

/** Go's Regexp.Expand for `$1`, `${1}`, `$name`, `${name}` and `$$`. */
function expand(template: string, groups: (string | null)[], names: Record<string, number>): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (whole, _all, braced, bare) => {
    if (whole === '$$') return '$';
    const name: string = braced ?? bare;
    const index = /^(0|[1-9][0-9]{0,7})$/.test(name) ? Number(name) : names[name];
    return index === undefined ? '' : (groups[index] ?? '');
  });
}

function replaceAll(pattern: string, s: string, repl: string, literal: boolean, ctx: FuncContext): string {
  const re = compile(pattern);
  const names = re.matcher('').namedGroups;
  let out = '';
  let last = 0;
  for (const m of matches(re, s, -1)) {
    out += s.slice(last, m.start) + (literal ? repl : expand(repl, m.groups, names));
    last = m.end;
    if (out.length > ctx.maxOutput)
      throw new GoFuncError(`regexReplaceAll result is larger than the limit of ${ctx.maxOutput} characters`);
  }
  return out + s.slice(last);
}

/** Go's Regexp.Split. */
function split(pattern: string, s: string, n: number): string[] {
  if (n === 0) return [];
  if (pattern.length > 0 && s.length === 0) return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches(compile(pattern), s, n)) {
    if (n > 0 && out.length === n - 1) break;
    end = m.start;
    if (m.end !== 0) out.push(s.slice(beg, end));
    beg = m.end;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Sprig's date argument: a time, or seconds since the epoch as an int; anything else means now. */
function toTime(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  if (v instanceof GoInt) return new GoTime(Number(v.value) * 1000);
  return goNow();
}

const int = (v: unknown) => Number((v as GoInt).value);

export const SPRIG_MISC: Record<string, FuncDef> = {
  b64enc: { params: ['string'], call: ([s]) => Buffer.from(s as string, 'utf8').toString('base64') },
  b64dec: { params: ['string'], call: ([s]) => b64dec(s as string) },
  b32enc: { params: ['string'], call: ([s]) => b32enc(s as string) },
  sha1sum: { params: ['string'], call: ([s]) => hash('sha1')(s as string) },
  sha256sum: { params: ['string'], call: ([s]) => hash('sha256')(s as string) },
  sha512sum: { params: ['string'], call: ([s]) => hash('sha512')(s as string) },
  regexMatch: {
    params: ['string', 'string'],
    call: ([p, s]) => {
      try {
        return compile(p as string)
          .matcher(s as string)
          .find();
      } catch {
        return false;
      }
    },
  },
  regexFind: {
    params: ['string', 'string'],
    call: ([p, s]) => matches(compile(p as string), s as string, 1)[0]?.groups[0] ?? '',
  },
  regexFindAll: {
    params: ['string', 'string', 'int'],
    call: ([p, s, n]) =>
      typed(
        matches(compile(p as string), s as string, int(n)).map((m) => m.groups[0] ?? ''),
        '[]string',
      ),
  },
  regexReplaceAll: {
    params: ['string', 'string', 'string'],
    call: ([p, s, r], ctx) => replaceAll(p as string, s as string, r as string, false, ctx),
  },
  regexReplaceAllLiteral: {
    params: ['string', 'string', 'string'],
    call: ([p, s, r], ctx) => replaceAll(p as string, s as string, r as string, true, ctx),
  },
  regexSplit: {
    params: ['string', 'string', 'int'],
    call: ([p, s, n]) => typed(split(p as string, s as string, int(n)), '[]string'),
  },
  now: { params: [], call: () => goNow() },
  date: { params: ['string', 'any'], call: ([layout, d]) => formatGoLayout(toTime(d), layout as string) },
  htmlDate: { params: ['any'], call: ([d]) => formatGoLayout(toTime(d), '2006-01-02') },
  unixEpoch: { params: ['time'], call: ([t]) => String(Math.floor((t as GoTime).ms / 1000)) },
};
