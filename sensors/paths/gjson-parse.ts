import {
  GJSON_MODIFIERS,
  type GjsonPath,
  type Query,
  type QueryOp,
  type Segment,
  SUPPORTED_MODIFIERS,
  type SupportedModifier,
  type Tilde,
} from './ast.ts';
import { ANY, compileGlob, type GlobPart, globFromParts, STAR } from './glob.ts';
import { parseGoFloat } from './go-number.ts';
import { pathSyntaxError, pathUnsupportedError } from './parse-error.ts';
import { nameOfLast, PathScanner } from './path-scanner.ts';

type Parsed = [Segment, number];

const TILDES: Record<string, Tilde> = { '~true': 'true', '~false': 'false', '~null': 'null', '~*': '*' };
const TWO_CHAR_OPS = new Set(['!=', '!%', '<=', '>=']);

/** Parses a gjson path once, so that evaluating it per event does no parsing. */
export function parseGjson(src: string): GjsonPath {
  if (src.length === 0) throw pathSyntaxError(src, 'the path is empty', 0);
  if (src.startsWith('..')) {
    throw pathUnsupportedError(src, 'JSON Lines paths (starting with "..") are not supported', 0);
  }
  return new Parser(src).range(0, src.length);
}

class Parser extends PathScanner {
  /** A whole path (or a sub-path of a query or multipath) between `start` and `end`. */
  range(start: number, end: number): GjsonPath {
    const chains: Segment[][] = [];
    let chain: Segment[] = [];
    let i = start;
    let getStart = true;
    for (;;) {
      const [segment, next] = this.segment(i, end, getStart);
      chain.push(segment);
      i = next;
      // What follows `#.` or a query starts afresh on each element, so a literal may begin it.
      getStart = segment.kind === 'project' || segment.kind === 'query';
      if (i >= end) break;
      const c = this.src.charAt(i);
      i++;
      if (c === '|') {
        chains.push(chain);
        chain = [];
        getStart = true;
      } else if (c !== '.') {
        throw this.error(`unexpected ${JSON.stringify(c)} (expected "." or "|")`, i - 1);
      }
    }
    chains.push(chain);
    return { chains };
  }

  private segment(i: number, end: number, getStart: boolean): Parsed {
    if (i < end) {
      const c = this.src.charAt(i);
      if (c === '[' || c === '{') return this.multi(i, end);
      if (c === '!' && getStart && i + 1 < end) return this.literal(i, end);
      if (c === '@') {
        const modifier = this.modifier(i, end);
        if (modifier) return modifier;
      }
      if (c === '#') {
        const next = i + 1 < end ? this.src.charAt(i + 1) : '';
        if (next === '(' || next === '[') return this.query(i, end);
        if (next === '' || next === '|') return [{ kind: 'count' }, i + 1];
        if (next === '.') return [{ kind: 'project' }, i + 1];
      }
    }
    return this.key(i, end);
  }

  private key(i: number, end: number): Parsed {
    const src = this.src;
    const parts: GlobPart[] = [];
    let name = '';
    let wild = false;
    let escaped = false;
    let j = i;
    while (j < end) {
      const c = src.charAt(j);
      if (c === '.' || c === '|') break;
      if (c === '*' || c === '?') {
        wild = true;
        parts.push(c === '*' ? STAR : ANY);
        name += c;
        j++;
        continue;
      }
      if (c === '\\') {
        if (j + 1 >= end) throw this.error('"\\" must be followed by the character it escapes', j);
        escaped = true;
        j++;
      }
      const ch = String.fromCodePoint(src.codePointAt(j) as number);
      parts.push({ literal: ch });
      name += ch;
      j += ch.length;
    }
    const raw = src.slice(i, j);
    const index = !escaped && /^[0-9]+$/.test(raw) ? Number(raw) : undefined;
    return [{ kind: 'key', name, glob: wild ? globFromParts(parts) : undefined, index }, j];
  }

  private modifier(i: number, end: number): Parsed | undefined {
    let j = i + 1;
    while (j < end && !'.|:'.includes(this.src.charAt(j))) j++;
    const name = this.src.slice(i + 1, j);
    if (!GJSON_MODIFIERS.has(name)) return undefined; // gjson reads an unknown @name as a plain key
    if (!(SUPPORTED_MODIFIERS as readonly string[]).includes(name)) {
      throw pathUnsupportedError(this.src, `the @${name} modifier is not supported`, i);
    }
    if (this.src.charAt(j) === ':') {
      throw pathUnsupportedError(this.src, `arguments to the @${name} modifier are not supported`, j);
    }
    return [{ kind: 'modifier', name: name as SupportedModifier }, j];
  }

  /** `#(path op value)` or `#(...)#`; gjson's older `#[...]` brackets are accepted too. */
  private query(i: number, end: number): Parsed {
    const src = this.src;
    let j = i + 2;
    let depth = 1;
    let opAt = -1;
    for (; j < end; j++) {
      const c = src.charAt(j);
      if (depth === 1 && opAt < 0 && '!=<>%'.includes(c)) {
        opAt = j;
      } else if (c === '\\') {
        j++;
      } else if (c === '(' || c === '[') {
        depth++;
      } else if (c === ')' || c === ']') {
        depth--;
        if (depth === 0) break;
      } else if (c === '"') {
        j = this.skipString(j, end);
      }
    }
    if (depth > 0) throw this.error('the query is not closed (expected ")")', i);
    const close = j;
    const [pathStart, pathEnd] = this.trim(i + 2, opAt < 0 ? close : opAt);
    if (opAt < 0 && pathStart === pathEnd) throw this.error('the query is empty', i);
    const query: Query = {
      path: pathStart === pathEnd ? undefined : this.range(pathStart, pathEnd),
      op: undefined,
      value: '',
      number: 0,
      pattern: undefined,
      tilde: undefined,
    };
    if (opAt >= 0) this.comparison(query, opAt, close);
    let k = close + 1;
    let all = false;
    if (k < end && src.charAt(k) === '#') {
      all = true;
      k++;
    }
    this.expectSeparator(k, end, 'the query');
    return [{ kind: 'query', all, query }, k];
  }

  private comparison(query: Query, opAt: number, close: number): void {
    const src = this.src;
    const two = src.slice(opAt, Math.min(opAt + 2, close));
    let op: QueryOp;
    let length = 2;
    if (two === '==') op = '=';
    else if (TWO_CHAR_OPS.has(two)) op = two as QueryOp;
    else if ('=<>%'.includes(src.charAt(opAt))) {
      op = src.charAt(opAt) as QueryOp;
      length = 1;
    } else throw this.error(`unknown query operator ${JSON.stringify(two)}`, opAt);
    const [start, stop] = this.trim(opAt + length, close);
    // An empty right-hand side is allowed: gjson compares with "" (or 0), so `#(!=)#` drops empty strings.
    let value = src.slice(start, stop);
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        throw this.error('the quoted value is not a valid JSON string', start);
      }
    }
    query.op = op;
    query.value = value;
    query.number = parseGoFloat(value);
    if (op === '%' || op === '!%') query.pattern = compileGlob(value);
    if (value.startsWith('~')) query.tilde = TILDES[value] ?? 'unknown';
  }

  /** `[a,b]` or `{a,"name":b}`: members run to a `,` or the closing bracket at the top level. */
  private multi(i: number, end: number): Parsed {
    const src = this.src;
    const object = src.charAt(i) === '{';
    const members: { name: string; path: GjsonPath }[] = [];
    let depth = 1;
    let start = i + 1;
    let colon = -1;
    let j = i + 1;
    const push = (stop: number) => {
      members.push(this.member(start, colon, stop));
      start = stop + 1;
      colon = -1;
    };
    for (; j < end; j++) {
      const c = src.charAt(j);
      if (c === '\\') j++;
      else if (c === ':' && depth === 1 && colon < 0) colon = j;
      else if (c === ',' && depth === 1) push(j);
      else if (c === '"') j = this.skipString(j, end);
      else if (c === '[' || c === '(' || c === '{') depth++;
      else if (c === ']' || c === ')' || c === '}') {
        depth--;
        if (depth === 0) {
          push(j);
          break;
        }
      }
    }
    if (depth > 0) throw this.error(`the "${src.charAt(i)}" is not closed`, i);
    this.expectSeparator(j + 1, end, 'the multipath');
    return [{ kind: 'multi', object, members }, j + 1];
  }

  private member(start: number, colon: number, stop: number): { name: string; path: GjsonPath } {
    if (colon < 0) return { name: nameOfLast(this.src.slice(start, stop)), path: this.range(start, stop) };
    let name = this.src.slice(start, colon);
    if (name.startsWith('"')) {
      try {
        const decoded: unknown = JSON.parse(name);
        if (typeof decoded === 'string') name = decoded;
      } catch {
        // gjson uses a name that is not valid JSON as it is written
      }
    }
    return { name, path: this.range(colon + 1, stop) };
  }

  /** `!true`, `!"text"`, `!{"a":1}`, `!-1.5`: a value written into the path itself. */
  private literal(i: number, end: number): Parsed {
    const src = this.src;
    const j = i + 1;
    const c = src.charAt(j);
    let stop = j;
    let value: unknown;
    if (c === '{' || c === '[' || c === '"') {
      stop = this.balanced(j, end);
      value = this.json(src.slice(j, stop), j);
    } else if (c === '-' || c === '+' || (c >= '0' && c <= '9')) {
      while (stop < end && /[0-9+\-.eE]/.test(src.charAt(stop))) stop++;
      const text = src.slice(c === '+' ? j + 1 : j, stop);
      value = this.json(text, j);
    } else {
      while (stop < end && src.charAt(stop) !== '.' && src.charAt(stop) !== '|') stop++;
      const word = src.slice(j, stop).toLowerCase();
      if (word === 'true') value = true;
      else if (word === 'false') value = false;
      else if (word === 'null') value = null;
      else throw this.error(`unknown literal ${JSON.stringify(src.slice(i, stop))}`, i);
    }
    this.expectSeparator(stop, end, 'the literal');
    return [{ kind: 'literal', value }, stop];
  }
}
