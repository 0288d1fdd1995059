/**
 * The parsed form of an expression, independent of the parser that produced it: govaluate syntax
 * (sensor `exprs`, trigger `conditions`) or the expr-lang subset of EventSource filters.
 */
export type Node =
  | { type: 'literal'; value: string | number | boolean | null }
  | { type: 'variable'; name: string }
  | { type: 'unary'; op: UnaryOp; argument: Node }
  | { type: 'binary'; op: BinaryOp; left: Node; right: Node }
  | { type: 'list'; items: Node[] }
  | { type: 'conditional'; test: Node; consequent: Node; alternate: Node };

export type UnaryOp = '-' | '!' | '~';

export type BinaryOp =
  | '??'
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '=~'
  | '!~'
  | 'in'
  | '|'
  | '^'
  | '&'
  | '<<'
  | '>>'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**'
  // expr-lang only (EventSource filters): string tests, and `in` over a list or a map's keys.
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'member';

/** Calls `visit` on every node, parents before children. */
export function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  switch (node.type) {
    case 'unary':
      walk(node.argument, visit);
      break;
    case 'binary':
      walk(node.left, visit);
      walk(node.right, visit);
      break;
    case 'list':
      for (const item of node.items) walk(item, visit);
      break;
    case 'conditional':
      walk(node.test, visit);
      walk(node.consequent, visit);
      walk(node.alternate, visit);
      break;
    default:
      break;
  }
}
