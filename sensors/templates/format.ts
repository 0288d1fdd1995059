/**
 * Go's fmt, as far as templates print values: `%v` of every value kind (`map[a:1 b:2]` with sorted
 * keys, `[1 2 3]`, floats as `%g` so 1234567 prints `1.234567e+06`), `Sprint`'s spacing rules,
 * `Sprintln`, `Sprintf` with the common verbs and flags, and `strconv.Quote`.
 */
import { goTimeString } from './go-time.ts';
import { GoInt, GoTime, isMap, sortedKeys, typeName } from './values.ts';

/** `%v` of a float64, as Go's shortest `%g`: exponent form below 1e-4 and from 1e6 up (`1e+06`). */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = Math.abs(f).toExponential().split('e');
  const exp = Number(expText);
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const digits = mantissa.replace('.', '');
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** The `%v` text of any value. Nested nils print `<nil>`. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatFloat(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof GoInt) return v.value.toString();
  if (v instanceof GoTime) return goTimeString(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (isMap(v))
    return `map[${sortedKeys(v)
      .map((k) => `${k}:${formatValue(v[k])}`)
      .join(' ')}]`;
  return String(v);
}

/** `fmt.Sprint`: operands joined, with a space between two operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** `fmt.Sprintln`: operands joined by spaces, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** `strconv.Quote`: a double-quoted Go string literal with Go's escapes. */
export function goQuote(s: string, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') {
      out += `\\${ch}`;
      continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const short = SHORT_ESCAPES[ch];
    if (short) {
      out += short;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp < 0xe000) out += '\\ufffd';
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

/** `fmt.Sprintf` with the verbs templates use: v s d f F e E g G x X o b c q t T U and %%. */
export function sprintf(format: string, args: readonly unknown[], maxWidth: number): string {
  let out = '';
  let argIndex = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    let j = i + 1;
    for (; j < format.length; j++) {
      const f = format[j];
      if (f === '-') spec.minus = true;
      else if (f === '+') spec.plus = true;
      else if (f === '#') spec.sharp = true;
      else if (f === ' ') spec.space = true;
      else if (f === '0') spec.zero = true;
      else break;
    }
    const num = () => {
      if (format[j] === '*') {
        j++;
        const a = args[argIndex++];
        return a instanceof GoInt ? Number(a.value) : undefined;
      }
      const m = /^\d+/.exec(format.slice(j));
      if (!m) return undefined;
      j += m[0].length;
      return Number(m[0]);
    };
    spec.width = num();
    if (format[j] === '.') {
      j++;
      spec.precision = num() ?? 0;
    }
    if ((spec.width ?? 0) > maxWidth || (spec.precision ?? 0) > maxWidth) {
      throw new RangeError(`format width ${spec.width ?? spec.precision} is larger than the output limit`);
    }
    const verb = format[j];
    i = j;
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argIndex++], verb, spec);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) => (a == null ? '<nil>' : `${typeName(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function padTo(text: string, spec: Spec, numeric = false): string {
  const width = spec.width ?? 0;
  if (text.length >= width) return text;
  if (spec.minus) return text.padEnd(width, ' ');
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(text) ? text[0]! : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width, ' ');
}

function withSign(text: string, negative: boolean, spec: Spec): string {
  if (negative) return `-${text}`;
  if (spec.plus) return `+${text}`;
  if (spec.space) return ` ${text}`;
  return text;
}

function badVerb(v: unknown, verb: string): string {
  return v == null ? `%!${verb}(<nil>)` : `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

function formatArg(v: unknown, verb: string, spec: Spec): string {
  if (verb === 'T') return padTo(v == null ? '<nil>' : typeName(v), spec);
  if (verb === 'v') {
    if (typeof v === 'number' || v instanceof GoInt) return padTo(signed(formatValue(v), spec), spec, true);
    return padTo(formatValue(v), spec);
  }
  if (Array.isArray(v) && verb !== 's' && verb !== 'q' && verb !== 'x' && verb !== 'X') {
    return `[${v.map((e) => formatArg(e, verb, { ...spec, width: undefined })).join(' ')}]`;
  }
  if (Array.isArray(v) || isMap(v)) {
    if (Array.isArray(v)) return `[${v.map((e) => formatArg(e, verb, spec)).join(' ')}]`;
    return `map[${sortedKeys(v)
      .map((k) => `${formatArg(k, verb, spec)}:${formatArg(v[k], verb, spec)}`)
      .join(' ')}]`;
  }
  if (typeof v === 'string' || v instanceof GoTime) {
    const s = v instanceof GoTime ? goTimeString(v) : v;
    switch (verb) {
      case 's':
        return padTo(spec.precision === undefined ? s : [...s].slice(0, spec.precision).join(''), spec);
      case 'q':
        return padTo(goQuote(s), spec);
      case 'x':
      case 'X': {
        const hex = Buffer.from(s, 'utf8').toString('hex');
        return padTo(verb === 'X' ? hex.toUpperCase() : hex, spec);
      }
    }
    return badVerb(v, verb);
  }
  if (typeof v === 'boolean') return verb === 't' ? padTo(String(v), spec) : badVerb(v, verb);
  if (v instanceof GoInt) return formatInt(v, verb, spec);
  if (typeof v === 'number') return formatFloatVerb(v, verb, spec);
  return badVerb(v, verb);
}

function signed(text: string, spec: Spec): string {
  const negative = text.startsWith('-');
  return withSign(negative ? text.slice(1) : text, negative, spec);
}

function formatInt(v: GoInt, verb: string, spec: Spec): string {
  const n = v.value;
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let digits: string;
  switch (verb) {
    case 'd':
      digits = abs.toString(10);
      break;
    case 'x':
      digits = (spec.sharp ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      digits = (spec.sharp ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'o':
      digits = (spec.sharp ? '0' : '') + abs.toString(8);
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    case 'c':
      return padTo(String.fromCodePoint(Number(abs) > 0x10ffff ? 0xfffd : Number(abs)), spec);
    case 'q':
      return padTo(goQuote(String.fromCodePoint(Number(abs) > 0x10ffff ? 0xfffd : Number(abs)), "'"), spec);
    case 'U':
      return padTo(`U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, spec);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return badVerb(v, verb);
    default:
      return badVerb(v, verb);
  }
  if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
  return padTo(withSign(digits, negative, spec), spec, spec.precision === undefined);
}

function formatFloatVerb(f: number, verb: string, spec: Spec): string {
  const negative = f < 0 || Object.is(f, -0);
  const abs = Math.abs(f);
  let text: string;
  if (!Number.isFinite(abs)) {
    text = Number.isNaN(abs) ? 'NaN' : 'Inf';
    return padTo(withSign(text, negative && !Number.isNaN(f), spec), { ...spec, zero: false }, true);
  }
  switch (verb) {
    case 'f':
    case 'F':
      text = toFixed(abs, spec.precision ?? 6);
      break;
    case 'e':
    case 'E': {
      const [m = '', e = '0'] = abs.toExponential(spec.precision ?? 6).split('e');
      const exp = Number(e);
      text = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
      if (verb === 'E') text = text.toUpperCase();
      break;
    }
    case 'g':
    case 'G':
      text =
        spec.precision === undefined
          ? formatFloat(abs)
          : formatFloat(Number(abs.toPrecision(Math.max(spec.precision, 1))));
      if (verb === 'G') text = text.toUpperCase();
      break;
    default:
      return badVerb(f, verb);
  }
  return padTo(withSign(text, negative, spec), spec, true);
}

function toFixed(abs: number, precision: number): string {
  if (abs < 1e21) return abs.toFixed(Math.min(precision, 100));
  const whole = BigInt(abs).toString();
  return precision > 0 ? `${whole}.${'0'.repeat(precision)}` : whole;
}
