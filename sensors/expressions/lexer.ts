import { expressionSyntaxError } from './syntax-error.ts';

/**
 * govaluate's lexical rules differ from JavaScript's, so before jsep sees an expression this pass
 * takes out everything jsep would read differently and puts a placeholder identifier (`$0`, `$1`,
 * ...) in its place:
 * - strings in `'...'` or `"..."`, where `\x` means `x` (no `\n` style escapes, as in govaluate);
 * - `[any name]`, govaluate's way to write a variable name with spaces or operators in it;
 * - names with `.` (`body.ref`), with `\`-escaped characters (`dep\-1`), or with non-ASCII letters;
 * - hexadecimal numbers (`0x1F`).
 * What is left for jsep is plain ASCII names, decimal numbers, operators and parentheses. A
 * character that has no meaning in the language is refused here, with its position.
 */
export type Placeholder =
  | { kind: 'string'; value: string }
  | { kind: 'variable'; name: string }
  | { kind: 'number'; value: number };

export interface Lexed {
  /** The text handed to jsep. */
  text: string;
  /** For each character of `text` (and one past its end), its index in the original source. */
  positions: number[];
  placeholders: Placeholder[];
}

export interface LexOptions {
  /** Read `-` after a name character as part of the name, as Argo Events does for trigger conditions. */
  dashInNames: boolean;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LETTER = /^[\p{L}_]$/u;
const NAME_PART = /^[\p{L}\p{Nd}_.]$/u;
const PASS_THROUGH = '0123456789.+-*/%<>=!&|^~?:(),';

export function lex(source: string, options: LexOptions): Lexed {
  let text = '';
  const positions: number[] = [];
  const placeholders: Placeholder[] = [];
  // `spread`: the characters came from consecutive source positions (else all map to `at`).
  const emit = (s: string, at: number, spread = false) => {
    text += s;
    for (let k = 0; k < s.length; k++) positions.push(spread ? at + k : at);
  };
  // Spaces around a placeholder keep jsep from gluing it to a neighbouring name.
  const placeholder = (p: Placeholder, at: number) => {
    emit(` $${placeholders.length} `, at);
    placeholders.push(p);
  };
  const fail = (problem: string, at: number) => expressionSyntaxError(source, problem, at);

  let i = 0;
  while (i < source.length) {
    const c = String.fromCodePoint(source.codePointAt(i) as number);
    if (c === '"' || c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source.charAt(j) !== c; j++) {
        if (source.charAt(j) === '\\') j++;
        value += source.charAt(j);
      }
      if (j >= source.length) throw fail('the string is not closed', i);
      placeholder({ kind: 'string', value }, i);
      i = j + 1;
    } else if (c === '[') {
      let name = '';
      let j = i + 1;
      for (; j < source.length && source.charAt(j) !== ']'; j++) {
        if (source.charAt(j) === '\\') j++;
        name += source.charAt(j);
      }
      if (j >= source.length) throw fail('the "[" of a variable name is not closed', i);
      if (name === '') throw fail('empty variable name "[]"', i);
      placeholder({ kind: 'variable', name }, i);
      i = j + 1;
    } else if (LETTER.test(c) || (c === '\\' && LETTER.test(source.charAt(i + 1)))) {
      i = readName(i);
    } else if (c === '0' && source.charAt(i + 1) === 'x') {
      const digits = /^[0-9a-fA-F]+/.exec(source.slice(i + 2))?.[0];
      if (digits === undefined) throw fail('"0x" must be followed by hexadecimal digits', i);
      placeholder({ kind: 'number', value: Number.parseInt(digits, 16) }, i);
      i += 2 + digits.length;
    } else if (c === '\\') {
      // Outside names an escape only says "this is an operator character", e.g. `a \- b`.
      const next = source.charAt(i + 1);
      if (next === '' || !PASS_THROUGH.includes(next)) throw fail('unexpected "\\"', i);
      emit(next, i + 1);
      i += 2;
    } else if (/^\s$/u.test(c)) {
      emit(' ', i);
      i += c.length;
    } else if (PASS_THROUGH.includes(c)) {
      emit(c, i);
      i++;
    } else {
      throw fail(`unexpected character ${JSON.stringify(c)}`, i);
    }
  }
  positions.push(source.length);
  return { text, positions, placeholders };

  function readName(start: number): number {
    let name = '';
    let escaped = false;
    let j = start;
    while (j < source.length) {
      const ch = String.fromCodePoint(source.codePointAt(j) as number);
      if (ch === '\\') {
        if (j + 1 >= source.length) throw fail('"\\" must be followed by the character it escapes', j);
        const escapedChar = String.fromCodePoint(source.codePointAt(j + 1) as number);
        name += escapedChar;
        escaped = true;
        j += 1 + escapedChar.length;
      } else if (NAME_PART.test(ch) || (options.dashInNames && ch === '-')) {
        name += ch;
        j += ch.length;
      } else break;
    }
    if (name.includes('.') && name.split('.').some((part) => part === '')) {
      throw fail(`misplaced "." in the name ${JSON.stringify(name)}`, start);
    }
    if (!escaped && PLAIN_NAME.test(name)) emit(name, start, true);
    else placeholder({ kind: 'variable', name }, start);
    return j;
  }
}
