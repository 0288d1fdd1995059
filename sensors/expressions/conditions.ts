import { type Node, walk } from './ast.ts';
import { compileNode } from './compile.ts';
import { variablesOf } from './expression.ts';
import { parseExpression } from './grammar.ts';
import { expressionSyntaxError } from './syntax-error.ts';

export interface CompiledCondition {
  /** Whether the condition holds when exactly the dependencies in `present` have an event. */
  evaluate(present: ReadonlySet<string>): boolean;
  /** The dependency names the condition mentions, in order of first appearance. */
  readonly dependencies: string[];
  readonly source: string;
}

function describeNode(node: Node): string {
  switch (node.type) {
    case 'binary':
    case 'unary':
      return `the operator "${node.op}"`;
    case 'literal':
      return `the value ${JSON.stringify(node.value)}`;
    case 'list':
      return 'a list';
    case 'conditional':
      return 'a "?:" conditional';
    default:
      return node.type;
  }
}

/**
 * Compiles a trigger's `conditions` (`"dep01 && (dep02 || dep-03)"`): dependency names combined
 * with `&&`, `||`, `!` and parentheses. As in Argo Events, a `-` inside a name belongs to the name.
 * Anything else, or a name that is not one of `names`, is an `INVALID_MANIFEST` error.
 */
export function compileCondition(expr: string, names: readonly string[]): CompiledCondition {
  const tree = parseExpression(expr, { dashInNames: true });
  walk(tree, (node) => {
    const allowed =
      node.type === 'variable' ||
      (node.type === 'unary' && node.op === '!') ||
      (node.type === 'binary' && (node.op === '&&' || node.op === '||'));
    if (!allowed) {
      throw expressionSyntaxError(
        expr,
        `conditions combine dependency names with &&, || and ! only; found ${describeNode(node)}`,
      );
    }
  });
  const dependencies = variablesOf(tree, expr);
  const known = new Set(names);
  for (const name of dependencies) {
    if (!known.has(name)) {
      const list = names.map((n) => JSON.stringify(n)).join(', ');
      throw expressionSyntaxError(
        expr,
        `unknown dependency ${JSON.stringify(name)} (the dependencies are ${list || 'none'})`,
      );
    }
  }
  const run = compileNode(tree, expr);
  return {
    source: expr,
    dependencies,
    evaluate: (present) => run((name) => present.has(name)) === true,
  };
}
