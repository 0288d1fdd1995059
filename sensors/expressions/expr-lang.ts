import type { BinaryOp, Node } from './ast.ts';
import { compileNode } from './compile.ts';
import { lexExprLang, type Token } from './expr-lang-lexer.ts';
import { expressionInputError, expressionSyntaxError } from './syntax-error.ts';
import { describe, isObject } from './values.ts';

/**
 * The subset of expr-lang (Argo Events' EventSource `filter.expression`) that Impulse runs, on the
 * same evaluator as govaluate expressions:
 * - literals: numbers, `"..."` / `'...'` strings, `true`, `false`, `nil`, lists `[a, b]`;
 * - names and member access: `body.action`, `body["x-y"]`, `body.commits[0]`, `body?.x`;
 * - `==`, `!=`, `<`, `<=`, `>`, `>=`; `&&` / `and`, `||` / `or`, `!` / `not`, unary `-`;
 * - `in` (an item of a list, a key of a map), `matches` (RE2, found anywhere), `contains`,
 *   `startsWith`, `endsWith`, each also as `not in`, `not matches`, ...; `a ? b : c`; parentheses.
 * As in expr-lang, a key that is not there reads as `nil`, and reading a field of `nil` is an error
 * (`?.` reads `nil` instead). Anything else expr-lang has (function calls, arithmetic, pipes,
 * closures, `??`, ranges, maps, `let`) is refused when the expression is compiled.
 */
export interface CompiledExprLang {
  /** Evaluates against an environment (own properties only); throws `INVALID_INPUT` on a type error. */
  evaluate(env: Readonly<Record<string, unknown>>): unknown;
  readonly source: string;
  /** A value the expression gives whatever the input, when it is a lone literal or list (never a bool test). */
  readonly constant?: string;
}

type Segment = { key: string | number; optional: boolean };

/** The precedence of each binary operator of the subset (expr-lang's values). */
const BINARY: Record<string, { prec: number; op: BinaryOp }> = {
  or: { prec: 10, op: '||' },
  '||': { prec: 10, op: '||' },
  and: { prec: 15, op: '&&' },
  '&&': { prec: 15, op: '&&' },
  '==': { prec: 20, op: '==' },
  '!=': { prec: 20, op: '!=' },
  '<': { prec: 20, op: '<' },
  '<=': { prec: 20, op: '<=' },
  '>': { prec: 20, op: '>' },
  '>=': { prec: 20, op: '>=' },
  in: { prec: 20, op: 'member' },
  matches: { prec: 20, op: '=~' },
  contains: { prec: 20, op: 'contains' },
  startsWith: { prec: 20, op: 'startsWith' },
  endsWith: { prec: 20, op: 'endsWith' },
};

/** expr-lang operators outside the subset, named in the error. */
const REFUSED = new Set(['+', '-', '*', '/', '%', '**', '^', '??', '..', '|']);
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses and compiles once; a syntax error or anything outside the subset is `INVALID_MANIFEST`. */
export function compileExprLang(source: string): CompiledExprLang {
  const paths = new Map<string, Segment[]>();
  const tree = parseExprLang(source, paths);
  const run = compileNode(tree, source);
  const constant =
    tree.type === 'list' ? 'a list' : tree.type === 'literal' ? JSON.stringify(tree.value) : undefined;
  return {
    source,
    ...(constant === undefined || constant === 'true' || constant === 'false' ? {} : { constant }),
    evaluate(env) {
      return run((name) => resolve(env, name, paths.get(name) ?? []));
    },
  };

  function resolve(env: Readonly<Record<string, unknown>>, chain: string, segments: Segment[]): unknown {
    let value: unknown = env;
    for (const { key, optional } of segments) {
      if (value === null || value === undefined) {
        if (optional) return null;
        throw expressionInputError(source, `cannot read ${JSON.stringify(key)} of nil (in ${chain})`);
      }
      if (typeof key === 'number') {
        if (!Array.isArray(value))
          throw expressionInputError(source, `cannot index ${describe(value)} with ${key} (in ${chain})`);
        const index = key < 0 ? value.length + key : key;
        if (index < 0 || index >= value.length)
          throw expressionInputError(
            source,
            `index ${key} out of range for a list of ${value.length} (in ${chain})`,
          );
        value = value[index];
      } else if (isObject(value)) {
        value = Object.hasOwn(value, key) ? value[key] : null;
      } else {
        throw expressionInputError(
          source,
          `cannot read ${JSON.stringify(key)} of ${describe(value)} (in ${chain})`,
        );
      }
    }
    return value ?? null;
  }
}

function parseExprLang(source: string, paths: Map<string, Segment[]>): Node {
  const tokens = lexExprLang(source);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const fail = (problem: string, token: Token = peek()) => expressionSyntaxError(source, problem, token.at);
  const isOp = (token: Token, value: string) => token.kind === 'op' && token.value === value;
  const expect = (value: string) => {
    if (!isOp(peek(), value)) throw fail(`expected "${value}"`);
    next();
  };

  if (peek().kind === 'end') throw fail('the expression is empty');
  const tree = expression(0);
  if (peek().kind !== 'end') throw fail(`unexpected ${show(peek())}`);
  return tree;

  function expression(minPrec: number): Node {
    let left = unary();
    for (;;) {
      let token = peek();
      let negate = false;
      if (token.kind === 'name' && token.value === 'not') {
        const after = tokens[pos + 1]!;
        if (!(after.kind === 'name' && BINARY[after.value]?.prec === 20)) break;
        negate = true;
        token = after;
      }
      const entry = token.kind === 'op' || token.kind === 'name' ? BINARY[token.value] : undefined;
      if (!entry) {
        if (token.kind === 'op' && REFUSED.has(token.value)) {
          throw fail(`the operator "${token.value}" is not supported in an EventSource filter`, token);
        }
        break;
      }
      if (entry.prec < minPrec) break;
      pos += negate ? 2 : 1;
      const right = expression(entry.prec + 1);
      const node: Node = { type: 'binary', op: entry.op, left, right };
      left = negate ? { type: 'unary', op: '!', argument: node } : node;
    }
    if (minPrec === 0 && isOp(peek(), '?')) {
      next();
      const consequent = expression(0);
      expect(':');
      const alternate = expression(0);
      return { type: 'conditional', test: left, consequent, alternate };
    }
    return left;
  }

  function unary(): Node {
    const token = peek();
    if (isOp(token, '!') || (token.kind === 'name' && token.value === 'not')) {
      next();
      return { type: 'unary', op: '!', argument: unary() };
    }
    if (isOp(token, '-')) {
      next();
      return { type: 'unary', op: '-', argument: unary() };
    }
    return primary();
  }

  function primary(): Node {
    const token = next();
    switch (token.kind) {
      case 'number':
      case 'string':
        return { type: 'literal', value: token.value };
      case 'end':
        throw fail('the expression ends too soon', token);
      case 'op':
        if (token.value === '(') {
          const inner = expression(0);
          expect(')');
          return inner;
        }
        if (token.value === '[') return list();
        if (token.value === '{') throw fail('map literals are not supported in an EventSource filter', token);
        throw fail(`unexpected ${show(token)}`, token);
      case 'name':
        return name(token);
    }
  }

  function list(): Node {
    const items: Node[] = [];
    while (!isOp(peek(), ']')) {
      items.push(expression(0));
      if (!isOp(peek(), ']')) expect(',');
    }
    next();
    return { type: 'list', items };
  }

  function name(token: Token & { kind: 'name' }): Node {
    switch (token.value) {
      case 'true':
      case 'false':
        return { type: 'literal', value: token.value === 'true' };
      case 'nil':
        return { type: 'literal', value: null };
      case 'let':
        throw fail('"let" is not supported in an EventSource filter', token);
    }
    if (BINARY[token.value] || token.value === 'not') throw fail(`unexpected "${token.value}"`, token);
    if (isOp(peek(), '(')) {
      throw fail(
        `function calls such as ${token.value}(...) are not supported in an EventSource filter; use in, matches, contains, startsWith or endsWith`,
        token,
      );
    }
    const segments: Segment[] = [key(token.value, false, token)];
    let text = token.value;
    for (;;) {
      const t = peek();
      if (t.kind === 'op' && (t.value === '.' || t.value === '?.')) {
        next();
        const field = next();
        if (field.kind !== 'name') throw fail(`expected a field name after "${t.value}"`, field);
        segments.push(key(field.value, t.value === '?.', field));
        text += `${t.value}${field.value}`;
      } else if (isOp(t, '[')) {
        next();
        const index = next();
        let value: string | number;
        if (index.kind === 'string') value = index.value;
        else if (index.kind === 'number' && Number.isInteger(index.value)) value = index.value;
        else if (isOp(index, '-') && peek().kind === 'number') value = -(next() as { value: number }).value;
        else throw fail('an index must be a string or an integer written out', index);
        expect(']');
        segments.push(key(value, false, index));
        text += `[${JSON.stringify(value)}]`;
      } else {
        break;
      }
    }
    paths.set(text, segments);
    return { type: 'variable', name: text };
  }

  function key(value: string | number, optional: boolean, token: Token): Segment {
    if (typeof value === 'string' && FORBIDDEN_KEYS.has(value))
      throw fail(`the name "${value}" is not allowed`, token);
    return { key: value, optional };
  }
}

function show(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of the expression';
    case 'string':
      return `string ${JSON.stringify(token.value)}`;
    default:
      return `"${token.value}"`;
  }
}
