import jsep from 'jsep';
import type { BinaryOp, Node, UnaryOp } from './ast.ts';
import { type LexOptions, lex } from './lexer.ts';
import { expressionSyntaxError } from './syntax-error.ts';

/**
 * jsep keeps its operator tables as static fields of one class, shared by every user in the
 * process, and offers no private instance. So the govaluate grammar is swapped in for the length
 * of one (synchronous) parse and the previous tables are put back in a `finally`: other code that
 * uses jsep, before or after, sees its own configuration. Plugins registered globally by other
 * code (jsep hooks) would still run; whatever they produce is refused by `convert` below.
 */
interface JsepTables {
  binary_ops: Record<string, number>;
  unary_ops: Record<string, number>;
  right_associative: Set<string>;
  additional_identifier_chars: Set<string>;
  literals: Record<string, unknown>;
  this_str: string;
  max_binop_len: number;
  max_unop_len: number;
}

const Jsep = (jsep as unknown as { Jsep: JsepTables }).Jsep;

/**
 * govaluate's precedence, loosest first: `??` and the ternary, `||`, `&&`, all comparators
 * (including `=~`, `!~`, `in`), bitwise `& | ^`, shifts, `+ -`, `* / %`, `**`. Unlike JavaScript,
 * bitwise operators bind tighter than comparisons, and `**` groups from the left like the rest.
 */
const GOVALUATE: JsepTables = {
  binary_ops: {
    '??': 1,
    '||': 2,
    '&&': 3,
    '==': 4,
    '!=': 4,
    '<': 4,
    '<=': 4,
    '>': 4,
    '>=': 4,
    '=~': 4,
    '!~': 4,
    in: 4,
    IN: 4,
    '|': 5,
    '^': 5,
    '&': 5,
    '<<': 6,
    '>>': 6,
    '+': 7,
    '-': 7,
    '*': 8,
    '/': 8,
    '%': 8,
    '**': 9,
  },
  unary_ops: { '-': 1, '!': 1, '~': 1 },
  right_associative: new Set(),
  additional_identifier_chars: new Set(['$', '_']),
  // govaluate has no null literal: `null` is an ordinary variable name there too.
  literals: { true: true, false: false },
  // A value no identifier can take, so `this` stays an ordinary name.
  this_str: ' this',
  max_binop_len: 2,
  max_unop_len: 1,
};

const TABLE_KEYS = Object.keys(GOVALUATE) as (keyof JsepTables)[];

function parseWithGovaluateGrammar(text: string): jsep.Expression {
  const saved: Partial<Record<keyof JsepTables, unknown>> = {};
  for (const key of TABLE_KEYS) saved[key] = Jsep[key];
  Object.assign(Jsep, GOVALUATE);
  try {
    return jsep(text);
  } finally {
    Object.assign(Jsep, saved);
  }
}

/** Parses a govaluate-style expression into a `Node`; throws `INVALID_MANIFEST` naming the position. */
export function parseExpression(source: string, options: LexOptions): Node {
  const lexed = lex(source, options);
  let tree: jsep.Expression;
  try {
    tree = parseWithGovaluateGrammar(lexed.text);
  } catch (err) {
    const e = err as { index?: unknown; description?: unknown; message?: unknown };
    const index = typeof e.index === 'number' ? lexed.positions[e.index] : undefined;
    const problem = typeof e.description === 'string' ? e.description : String(e.message ?? err);
    throw expressionSyntaxError(source, problem, index ?? source.length);
  }
  return convert(tree);

  function convert(n: jsep.Expression): Node {
    switch (n.type) {
      case 'Literal': {
        const value = n.value;
        if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
          return { type: 'literal', value };
        }
        throw expressionSyntaxError(source, `unsupported literal ${String(n.raw)}`);
      }
      case 'Identifier': {
        const name = n.name as string;
        if (!name.startsWith('$')) return { type: 'variable', name };
        const p = lexed.placeholders[Number(name.slice(1))];
        if (p === undefined) throw expressionSyntaxError(source, `unexpected name ${name}`);
        return p.kind === 'variable'
          ? { type: 'variable', name: p.name }
          : { type: 'literal', value: p.value };
      }
      case 'UnaryExpression':
        return { type: 'unary', op: n.operator as UnaryOp, argument: convert(n.argument as jsep.Expression) };
      case 'BinaryExpression': {
        const op = (n.operator === 'IN' ? 'in' : n.operator) as BinaryOp;
        const left = convert(n.left as jsep.Expression);
        const rightTree = n.right as jsep.Expression;
        if (op === 'in') {
          // `x in (a, b)` is a list; `x in ("a")` or `x in (-1)` is a list of one; `x in names`
          // reads a list variable.
          const right: Node =
            rightTree.type === 'SequenceExpression'
              ? { type: 'list', items: (rightTree.expressions as jsep.Expression[]).map(convert) }
              : convert(rightTree);
          return {
            type: 'binary',
            op,
            left,
            right:
              right.type === 'literal' || right.type === 'unary' ? { type: 'list', items: [right] } : right,
          };
        }
        return { type: 'binary', op, left, right: convert(rightTree) };
      }
      case 'ConditionalExpression':
        return {
          type: 'conditional',
          test: convert(n.test as jsep.Expression),
          consequent: convert(n.consequent as jsep.Expression),
          alternate: convert(n.alternate as jsep.Expression),
        };
      case 'Compound':
        throw expressionSyntaxError(
          source,
          (n.body as unknown[]).length === 0
            ? 'the expression is empty'
            : 'two values with no operator between them',
        );
      case 'SequenceExpression':
        throw expressionSyntaxError(source, 'a list "(a, b, ...)" is only allowed after "in"');
      case 'CallExpression':
        throw expressionSyntaxError(source, 'function calls are not supported');
      case 'MemberExpression':
        throw expressionSyntaxError(
          source,
          'property access is not supported (write a dotted name as one word)',
        );
      default:
        throw expressionSyntaxError(source, `unsupported syntax (${n.type})`);
    }
  }
}
