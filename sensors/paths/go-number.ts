const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * Reads text the way gjson reads the right-hand side of a numeric query (Go's
 * `strconv.ParseFloat`, keeping its result on error): decimal and exponent forms, `inf`,
 * `infinity` and `nan` in any case; anything else is 0.
 */
export function parseGoFloat(text: string): number {
  if (DECIMAL.test(text)) return Number(text);
  const inf = INFINITY.exec(text);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (text.toLowerCase() === 'nan') return Number.NaN;
  return 0;
}

/**
 * Formats a number as Go's `strconv.FormatFloat(n, 'f', -1, 64)` does: the shortest digits that
 * read back to the same number, and never an exponent (`1e21` is written out in full).
 */
export function formatFloatPlain(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(n, -0)) return '-0';
  const text = String(n);
  const e = text.indexOf('e');
  if (e < 0) return text;
  // JavaScript switched to exponent form; move the decimal point by hand.
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}
