import { compareCodePoints } from '../paths/index.ts';
import type { BinaryOp, Node } from './ast.ts';
import { compileRegex, type Regex, RegexCache, regexTest } from './regex.ts';
import { expressionInputError, expressionSyntaxError } from './syntax-error.ts';
import { deepEqual, describe, formatGoValue, isObject, toInt64, toUint64 } from './values.ts';

/** Reads a variable by name; throws when there is none. */
export type Lookup = (name: string) => unknown;
export type Evaluator = (lookup: Lookup) => unknown;

/**
 * Turns a parsed expression into a tree of closures, once. Type rules are govaluate's and are
 * checked when the expression runs, on the values it meets: `&&`, `||`, `!` and `?:` want bools;
 * arithmetic wants numbers; `+` also joins strings; `<`-style comparisons want two numbers or two
 * strings; `=~` wants a string on the left and a pattern string on the right.
 */
export function compileNode(root: Node, source: string): Evaluator {
  const fail = (problem: string): never => {
    throw expressionInputError(source, problem);
  };
  const wantBool = (op: string, side: string, value: unknown): boolean => {
    if (typeof value !== 'boolean')
      fail(`"${op}" needs true or false on its ${side}, got ${describe(value)}`);
    return value as boolean;
  };
  const wantNumber = (op: string, value: unknown): number => {
    if (typeof value !== 'number') fail(`"${op}" needs numbers, got ${describe(value)}`);
    return value as number;
  };

  return build(root);

  function build(node: Node): Evaluator {
    switch (node.type) {
      case 'literal': {
        const value = node.value;
        return () => value;
      }
      case 'variable': {
        const name = node.name;
        return (lookup) => lookup(name);
      }
      case 'list': {
        const items = node.items.map(build);
        return (lookup) => items.map((item) => item(lookup));
      }
      case 'conditional': {
        const test = build(node.test);
        const consequent = build(node.consequent);
        const alternate = build(node.alternate);
        return (lookup) => (wantBool('?', 'left', test(lookup)) ? consequent(lookup) : alternate(lookup));
      }
      case 'unary': {
        const argument = build(node.argument);
        switch (node.op) {
          case '!':
            return (lookup) => !wantBool('!', 'right', argument(lookup));
          case '-':
            return (lookup) => -wantNumber('-', argument(lookup));
          case '~':
            return (lookup) => Number(BigInt.asIntN(64, ~toInt64(wantNumber('~', argument(lookup)))));
        }
        break;
      }
      case 'binary':
        return binary(node.op, node.left, node.right);
    }
    throw expressionSyntaxError(source, 'unsupported syntax');
  }

  function binary(op: BinaryOp, leftNode: Node, rightNode: Node): Evaluator {
    const left = build(leftNode);
    if (op === '=~' || op === '!~') return regexOperator(op, left, rightNode);
    const right = build(rightNode);
    switch (op) {
      case '&&':
        return (lookup) => wantBool(op, 'left', left(lookup)) && wantBool(op, 'right', right(lookup));
      case '||':
        return (lookup) => wantBool(op, 'left', left(lookup)) || wantBool(op, 'right', right(lookup));
      case '??':
        return (lookup) => left(lookup) ?? right(lookup);
      case '==':
        return (lookup) => deepEqual(left(lookup), right(lookup));
      case '!=':
        return (lookup) => !deepEqual(left(lookup), right(lookup));
      case '<':
      case '<=':
      case '>':
      case '>=':
        return (lookup) => compare(op, left(lookup), right(lookup));
      case 'in':
        return (lookup) => {
          const needle = left(lookup);
          const list = right(lookup);
          if (!Array.isArray(list)) return fail(`"in" needs a list on its right, got ${describe(list)}`);
          return list.some((item) => deepEqual(needle, item));
        };
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        return (lookup) => {
          const a = left(lookup);
          const b = right(lookup);
          if (typeof a !== 'string' || typeof b !== 'string')
            return fail(`"${op}" needs two strings, got ${describe(a)} and ${describe(b)}`);
          return op === 'contains' ? a.includes(b) : op === 'startsWith' ? a.startsWith(b) : a.endsWith(b);
        };
      case 'member':
        return (lookup) => member(left(lookup), right(lookup));
      case '+':
        return (lookup) => {
          const a = left(lookup);
          const b = right(lookup);
          if (typeof a === 'number' && typeof b === 'number') return a + b;
          if (typeof a === 'string' || typeof b === 'string') return formatGoValue(a) + formatGoValue(b);
          return fail(
            `"+" needs two numbers, or a string on one side, got ${describe(a)} and ${describe(b)}`,
          );
        };
      default:
        return arithmetic(op, left, right);
    }
  }

  /** expr-lang's `in`: an equal item of a list, a key of a map; nothing is in null. */
  function member(needle: unknown, haystack: unknown): boolean {
    if (haystack === null || haystack === undefined) return false;
    if (Array.isArray(haystack)) return haystack.some((item) => deepEqual(needle, item));
    if (isObject(haystack)) {
      if (typeof needle !== 'string')
        return fail(`"in" looks up map keys, which are strings, got ${describe(needle)}`);
      return Object.hasOwn(haystack, needle);
    }
    return fail(`"in" needs a list or a map on its right, got ${describe(haystack)}`);
  }

  function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean {
    let order: number;
    if (typeof a === 'number' && typeof b === 'number')
      order = a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN;
    else if (typeof a === 'string' && typeof b === 'string') order = compareCodePoints(a, b);
    else return fail(`"${op}" compares two numbers or two strings, got ${describe(a)} and ${describe(b)}`);
    switch (op) {
      case '<':
        return order < 0;
      case '<=':
        return order <= 0;
      case '>':
        return order > 0;
      case '>=':
        return order >= 0;
    }
  }

  function arithmetic(op: BinaryOp, left: Evaluator, right: Evaluator): Evaluator {
    const numbers = (lookup: Lookup): [number, number] => [
      wantNumber(op, left(lookup)),
      wantNumber(op, right(lookup)),
    ];
    const int = (f: (a: bigint, b: bigint) => bigint) => (lookup: Lookup) => {
      const [a, b] = numbers(lookup);
      return Number(BigInt.asIntN(64, f(toInt64(a), toInt64(b))));
    };
    const shift = (f: (a: bigint, b: bigint) => bigint) => (lookup: Lookup) => {
      const [a, b] = numbers(lookup);
      const by = toUint64(b);
      // Go shifts a uint64 by 64 or more to zero.
      return by >= 64n ? 0 : Number(BigInt.asUintN(64, f(toUint64(a), by)));
    };
    switch (op) {
      case '-':
        return (lookup) => {
          const [a, b] = numbers(lookup);
          return a - b;
        };
      case '*':
        return (lookup) => {
          const [a, b] = numbers(lookup);
          return a * b;
        };
      case '/':
        return (lookup) => {
          const [a, b] = numbers(lookup);
          return a / b;
        };
      case '%':
        return (lookup) => {
          const [a, b] = numbers(lookup);
          return a % b;
        };
      case '**':
        return (lookup) => {
          const [a, b] = numbers(lookup);
          return a ** b;
        };
      case '&':
        return int((a, b) => a & b);
      case '|':
        return int((a, b) => a | b);
      case '^':
        return int((a, b) => a ^ b);
      case '<<':
        return shift((a, b) => a << b);
      case '>>':
        return shift((a, b) => a >> b);
      default:
        throw expressionSyntaxError(source, `unsupported operator "${op}"`);
    }
  }

  /** A pattern written as a literal is compiled here, once; a bad one is a manifest error. */
  function regexOperator(op: '=~' | '!~', left: Evaluator, rightNode: Node): Evaluator {
    const negate = op === '!~';
    let match: (lookup: Lookup, input: string) => boolean;
    if (rightNode.type === 'literal' && typeof rightNode.value === 'string') {
      let regex: Regex;
      try {
        regex = compileRegex(rightNode.value);
      } catch (err) {
        throw expressionSyntaxError(
          source,
          `invalid regular expression ${JSON.stringify(rightNode.value)}: ${errorText(err)}`,
        );
      }
      match = (_lookup, input) => regexTest(regex, input);
    } else {
      const right = build(rightNode);
      const cache = new RegexCache();
      match = (lookup, input) => {
        const pattern = right(lookup);
        if (typeof pattern !== 'string')
          return fail(`"${op}" needs a pattern string on its right, got ${describe(pattern)}`);
        let regex: Regex;
        try {
          regex = cache.get(pattern);
        } catch (err) {
          return fail(`invalid regular expression ${JSON.stringify(pattern)}: ${errorText(err)}`);
        }
        return regexTest(regex, input);
      };
    }
    return (lookup) => {
      const input = left(lookup);
      if (typeof input !== 'string')
        return fail(`"${op}" needs a string on its left, got ${describe(input)}`);
      return match(lookup, input) !== negate;
    };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
