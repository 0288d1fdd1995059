/** Go literal syntax the parser needs: numbers, character constants and quoted strings. */
import type { NumberLiteral } from './ast.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(text, 0, 64)` digits: sign, 0x/0o/0b/0 prefixes, underscores. */
export function parseIntLiteral(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (!m) return undefined;
  const [, sign, body = ''] = m;
  if (body.endsWith('_') || body.includes('__')) return undefined;
  let digits = body.replaceAll('_', '');
  let prefix = '';
  if (/^0[xXoObB]/.test(digits)) {
    prefix = digits.slice(0, 2).toLowerCase();
    digits = digits.slice(2);
  } else if (digits.length > 1 && digits.startsWith('0')) {
    prefix = '0o';
    digits = digits.slice(1);
  }
  if (digits === '') return undefined;
  const value = BigInt(`${prefix}${digits}`);
  return sign === '-' ? -value : value;
}

/**
 * Reads a number literal the way Go's template parser does: an integer when it is one (or a float
 * with an integral value), a float when it parses as one. Returns an error message for bad syntax.
 */
export function parseNumberLiteral(text: string): NumberLiteral | string {
  if (text.startsWith("'")) {
    const rune = unquoteChar(text);
    if (rune === undefined) return `malformed character constant: ${text}`;
    return { text, isInt: true, int: BigInt(rune), isFloat: true, float: rune };
  }
  const int = parseIntLiteral(text);
  if (int !== undefined) {
    if (int >= INT64_MIN && int <= INT64_MAX) {
      return { text, isInt: true, int, isFloat: true, float: Number(int) };
    }
    if (int <= UINT64_MAX) return { text, isInt: false, int: 0n, isFloat: true, float: Number(int) };
  }
  const cleaned = text.replaceAll('_', '');
  const f = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cleaned) ? Number(cleaned) : Number.NaN;
  if (Number.isFinite(f)) {
    if (!/[.eEpP]/.test(text)) return `integer overflow: "${text}"`;
    const integral = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
    return { text, isInt: integral, int: integral ? BigInt(f) : 0n, isFloat: true, float: f };
  }
  return `illegal number syntax: "${text}"`;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/**
 * Go's `strconv.Unquote` for a double-quoted or raw (backquoted) string. Returns undefined when the
 * escapes are invalid.
 */
export function unquoteString(text: string): string | undefined {
  if (text.startsWith('`')) return text.slice(1, -1).replaceAll('\r', '');
  const body = text.slice(1, -1);
  let out = '';
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length > 0) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      flushBytes();
      out += simple;
    } else if (e === '"') {
      flushBytes();
      out += '"';
    } else if (e === 'x' || (e >= '0' && e <= '7')) {
      const digits = e === 'x' ? body.slice(i + 1, i + 3) : body.slice(i, i + 3);
      const ok = e === 'x' ? /^[0-9a-fA-F]{2}$/.test(digits) : /^[0-7]{3}$/.test(digits);
      if (!ok) return undefined;
      const value = Number.parseInt(digits, e === 'x' ? 16 : 8);
      if (value > 255) return undefined;
      bytes.push(value);
      i += e === 'x' ? 2 : 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const digits = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) return undefined;
      const cp = Number.parseInt(digits, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return undefined;
      flushBytes();
      out += String.fromCodePoint(cp);
      i += n;
    } else {
      return undefined;
    }
  }
  flushBytes();
  return out;
}

/** The code point of a Go character constant such as `'a'` or `'\n'`. */
function unquoteChar(text: string): number | undefined {
  const inner = text.slice(1, -1);
  if (!inner.startsWith('\\')) {
    const cp = inner.codePointAt(0);
    return cp !== undefined && String.fromCodePoint(cp).length === inner.length ? cp : undefined;
  }
  if (inner === "\\'") return 39;
  const s = unquoteString(`"${inner}"`);
  if (s === undefined || s === '') return undefined;
  const cp = s.codePointAt(0)!;
  return String.fromCodePoint(cp).length === s.length ? cp : undefined;
}
