import { expressionSyntaxError } from './syntax-error.ts';

/**
 * Tokens of expr-lang (github.com/expr-lang/expr, the language of Argo Events' EventSource
 * `filter.expression`), as its lexer cuts them: numbers with `_` separators and `0x`/`0o`/`0b`
 * prefixes, strings in `"..."` or `'...'` with Go escapes, names (letters, digits, `_`, `$`), and
 * operators. The parser decides which of them the supported subset allows.
 */
export type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number }
  | { kind: 'end'; at: number };

/** Longest first, so `?.` wins over `?` and `**` over `*`. */
const OPERATORS = [
  '...',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '**',
  '?.',
  '??',
  '..',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '?',
  ':',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '|',
  '#',
  ';',
  '=',
];

const NAME_START = /[\p{L}_$]/u;
const NAME_PART = /[\p{L}\p{N}_$]/u;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

export function lexExprLang(source: string): Token[] {
  const tokens: Token[] = [];
  const fail = (problem: string, at: number) => expressionSyntaxError(source, problem, at);
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      const [value, next] = readString(i);
      tokens.push({ kind: 'string', value, at: i });
      i = next;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source.charAt(i + 1)))) {
      const text = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)/.exec(
        source.slice(i),
      )?.[0];
      // `1..2` is a range, not the number `1.` followed by `.2`.
      const literal =
        text?.endsWith('.') && source.charAt(i + text.length) === '.' ? text.slice(0, -1) : text;
      const value = literal ? parseNumber(literal) : Number.NaN;
      if (!literal || Number.isNaN(value)) throw fail(`bad number ${JSON.stringify(literal ?? c)}`, i);
      tokens.push({ kind: 'number', value, at: i });
      i += literal.length;
    } else if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < source.length && NAME_PART.test(source.charAt(j))) j++;
      tokens.push({ kind: 'name', value: source.slice(i, j), at: i });
      i = j;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (!op) throw fail(`unexpected character ${JSON.stringify(c)}`, i);
      tokens.push({ kind: 'op', value: op, at: i });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;

  function readString(start: number): [string, number] {
    const quote = source.charAt(start);
    let value = '';
    let j = start + 1;
    while (j < source.length && source.charAt(j) !== quote) {
      const ch = source.charAt(j);
      if (ch === '\n') throw fail('a string cannot span lines', start);
      if (ch !== '\\') {
        value += ch;
        j++;
        continue;
      }
      const e = source.charAt(j + 1);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        value += simple;
        j += 2;
        continue;
      }
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const digits = hex ? source.slice(j + 2, j + 2 + hex) : source.slice(j + 1, j + 4);
      const valid = hex ? new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits) : /^[0-7]{3}$/.test(digits);
      if (!valid) throw fail(`invalid escape "\\${e}" in a string`, j);
      value += String.fromCodePoint(Number.parseInt(digits, hex ? 16 : 8));
      j += hex ? 2 + hex : 4;
    }
    if (j >= source.length) throw fail('the string is not closed', start);
    return [value, j + 1];
  }
}

function parseNumber(text: string): number {
  const clean = text.replaceAll('_', '');
  if (/^0[oO]/.test(clean)) return Number.parseInt(clean.slice(2), 8);
  if (clean === '' || clean === '.') return Number.NaN;
  return Number(clean);
}
