/**
 * The tokenizer of Go's text/template: text between actions, and inside `{{ }}` the words, literals
 * and punctuation of pipelines. Trim markers (`{{- ` and ` -}}`) remove the white space next to an
 * action here, so the parser never sees it; comments become tokens the parser drops.
 */
export type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'comment'
  | 'space'
  | 'identifier'
  | 'field'
  | 'variable'
  | 'dot'
  | 'bool'
  | 'number'
  | 'charConstant'
  | 'string'
  | 'rawString'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'assign'
  | 'declare'
  | 'char'
  | 'keyword'
  | 'error'
  | 'eof';

export interface Token {
  type: TokenType;
  /** The token's text as written (strings keep their quotes; text has its trimming applied). */
  value: string;
  /** Offset in the source, for error positions. */
  pos: number;
}

const KEYWORDS = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'nil',
  'range',
  'template',
  'with',
]);

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const ALNUM = /^[\p{L}\p{Nd}_]$/u;
const isAlphaNumeric = (c: string | undefined) => c !== undefined && ALNUM.test(c);
const hasLeftTrim = (s: string, at: number) => s[at] === '-' && isSpace(s[at + 1]);
const hasRightTrim = (s: string, at: number) => isSpace(s[at]) && s[at + 1] === '-';

class LexError extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits a template into tokens. Malformed input ends the list with an `error` token, which the
 * parser reports when it gets there (as Go's lazy lexer would: earlier tokens are parsed first).
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  try {
    lexText(source, tokens);
  } catch (err) {
    if (!(err instanceof LexError)) throw err;
    tokens.push({ type: 'error', value: err.message, pos: err.pos });
    return tokens;
  }
  tokens.push({ type: 'eof', value: '', pos: source.length });
  return tokens;
}

function lexText(source: string, tokens: Token[]): void {
  let pos = 0;
  let trimNextText = false;
  const fail = (at: number, message: string): never => {
    throw new LexError(at, message);
  };

  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    const textEnd = open < 0 ? source.length : open;
    let text = source.slice(pos, textEnd);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    if (open >= 0 && hasLeftTrim(source, open + 2)) text = text.replace(/[ \t\r\n]+$/, '');
    if (text.length > 0) tokens.push({ type: 'text', value: text, pos });
    trimNextText = false;
    if (open < 0) break;

    pos = open + 2;
    const leftTrim = hasLeftTrim(source, pos);
    if (leftTrim) pos += 2;
    if (source.startsWith('/*', pos)) {
      const close = source.indexOf('*/', pos + 2);
      if (close < 0) fail(open, 'unclosed comment');
      pos = close + 2;
      if (hasRightTrim(source, pos) && source.startsWith('}}', pos + 2)) {
        trimNextText = true;
        pos += 2;
      }
      if (!source.startsWith('}}', pos)) fail(open, 'comment ends before closing delimiter');
      tokens.push({ type: 'comment', value: source.slice(open, pos + 2), pos: open });
      pos += 2;
      continue;
    }
    tokens.push({ type: 'leftDelim', value: '{{', pos: open });
    const end = lexAction(source, pos, tokens, fail);
    pos = end.pos;
    trimNextText = end.trim;
  }
}

/** Scans the inside of one action up to and including its right delimiter. */
function lexAction(
  s: string,
  start: number,
  tokens: Token[],
  fail: (at: number, message: string) => never,
): { pos: number; trim: boolean } {
  let pos = start;
  let parenDepth = 0;
  const emit = (type: TokenType, from: number) => tokens.push({ type, value: s.slice(from, pos), pos: from });
  const atTerminator = () => {
    const c = s[pos];
    return (
      c === undefined || isSpace(c) || '.,|:()'.includes(c) || s.startsWith('}}', pos) || c === undefined
    );
  };

  for (;;) {
    const trimClose = hasRightTrim(s, pos) && s.startsWith('}}', pos + 2);
    if (trimClose || s.startsWith('}}', pos)) {
      if (parenDepth > 0) fail(pos, 'unclosed left paren');
      tokens.push({ type: 'rightDelim', value: '}}', pos });
      return { pos: pos + (trimClose ? 4 : 2), trim: trimClose };
    }
    const from = pos;
    const c = s[pos];
    if (c === undefined) fail(from, 'unclosed action');
    if (isSpace(c)) {
      while (isSpace(s[pos]) && !(hasRightTrim(s, pos) && s.startsWith('}}', pos + 2))) pos++;
      if (pos > from) emit('space', from);
      continue;
    }
    pos++;
    switch (c) {
      case '=':
        emit('assign', from);
        continue;
      case ':':
        if (s[pos] !== '=') fail(from, 'expected :=');
        pos++;
        emit('declare', from);
        continue;
      case '|':
        emit('pipe', from);
        continue;
      case '(':
        parenDepth++;
        emit('leftParen', from);
        continue;
      case ')':
        parenDepth--;
        if (parenDepth < 0) fail(from, 'unexpected right paren');
        emit('rightParen', from);
        continue;
      case '"':
        pos = scanQuoted(s, pos, '"', fail, from, 'unterminated quoted string');
        emit('string', from);
        continue;
      case "'":
        pos = scanQuoted(s, pos, "'", fail, from, 'unterminated character constant');
        emit('charConstant', from);
        continue;
      case '`': {
        const close = s.indexOf('`', pos);
        if (close < 0) fail(from, 'unterminated raw quoted string');
        pos = close + 1;
        emit('rawString', from);
        continue;
      }
      case '$':
        scanWord(s, pos, (p) => {
          pos = p;
        });
        if (!atTerminator()) fail(from, `bad character ${describeChar(s[pos])}`);
        emit('variable', from);
        continue;
      case '.':
        if (!isDigit(s[pos])) {
          scanWord(s, pos, (p) => {
            pos = p;
          });
          if (!atTerminator()) fail(from, `bad character ${describeChar(s[pos])}`);
          emit(pos === from + 1 ? 'dot' : 'field', from);
          continue;
        }
        break;
    }
    if (c === '+' || c === '-' || c === '.' || isDigit(c)) {
      pos = scanNumber(s, from);
      if (isAlphaNumeric(s[pos])) fail(from, `bad number syntax: "${s.slice(from, pos + 1)}"`);
      if (s[pos] === '+' || s[pos] === '-') fail(from, 'complex numbers are not supported');
      emit('number', from);
      continue;
    }
    if (isAlphaNumeric(c)) {
      scanWord(s, pos, (p) => {
        pos = p;
      });
      if (!atTerminator()) fail(from, `bad character ${describeChar(s[pos])}`);
      const word = s.slice(from, pos);
      emit(
        KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : 'identifier',
        from,
      );
      continue;
    }
    const code = c.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f) {
      emit('char', from);
      continue;
    }
    fail(from, `unrecognized character in action: ${describeChar(c)}`);
  }
}

function scanWord(s: string, pos: number, done: (pos: number) => void): void {
  let p = pos;
  for (;;) {
    const cp = s.codePointAt(p);
    if (cp === undefined) break;
    const ch = String.fromCodePoint(cp);
    if (!isAlphaNumeric(ch)) break;
    p += ch.length;
  }
  done(p);
}

function scanQuoted(
  s: string,
  pos: number,
  quote: string,
  fail: (at: number, message: string) => never,
  from: number,
  message: string,
): number {
  let p = pos;
  for (;;) {
    const c = s[p++];
    if (c === '\\') {
      const next = s[p++];
      if (next === undefined || next === '\n') fail(from, message);
      continue;
    }
    if (c === undefined || c === '\n') fail(from, message);
    if (c === quote) return p;
  }
}

/** Go's scanNumber: sign, 0x/0o/0b prefixes, digits with underscores, fraction, exponent. */
function scanNumber(s: string, start: number): number {
  let p = start;
  const accept = (set: string) => {
    const c = s[p];
    if (c !== undefined && set.includes(c)) {
      p++;
      return true;
    }
    return false;
  };
  const acceptRun = (set: string) => {
    while (accept(set));
  };
  accept('+-');
  let digits = '0123456789_';
  if (accept('0')) {
    if (accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (accept('oO')) digits = '01234567_';
    else if (accept('bB')) digits = '01_';
  }
  acceptRun(digits);
  if (accept('.')) acceptRun(digits);
  if (digits.length === 11 && accept('eE')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  if (digits.length === 23 && accept('pP')) {
    accept('+-');
    acceptRun('0123456789_');
  }
  return p;
}

function describeChar(c: string | undefined): string {
  if (c === undefined) return 'EOF';
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}
