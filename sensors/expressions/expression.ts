import { type Node, walk } from './ast.ts';
import { compileNode, type Lookup } from './compile.ts';
import { parseExpression } from './grammar.ts';
import { expressionInputError, expressionSyntaxError } from './syntax-error.ts';
import { isObject } from './values.ts';

export interface ExpressionOptions {
  /**
   * Read `-` after a name character as part of the name (`dep-1`), as Argo Events does for trigger
   * conditions; `a - b` with spaces still subtracts.
   * @default false
   */
  dashInNames?: boolean;
  /**
   * When no variable has a dotted name (`body.ref`) as its exact name, walk own properties of the
   * variables instead (`vars.body.ref`). govaluate itself cannot read into maps.
   * @default false
   */
  nestedLookup?: boolean;
}

export interface CompiledExpression {
  /**
   * Evaluates against a map of variables (own properties only). Throws `INVALID_INPUT` for a
   * variable that is not there and for a type error such as `"a" > 1`.
   */
  evaluate(vars: Readonly<Record<string, unknown>>): unknown;
  /** The variable names the expression reads, in order of first appearance. */
  readonly variables: string[];
  readonly source: string;
}

/** Names that could reach an object's prototype are refused outright, even as exact-name lookups. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Checks the names an expression reads and lists them once each, in order. */
export function variablesOf(node: Node, source: string): string[] {
  const names: string[] = [];
  walk(node, (n) => {
    if (n.type !== 'variable' || names.includes(n.name)) return;
    if (n.name.split('.').some((part) => FORBIDDEN_NAMES.has(part))) {
      throw expressionSyntaxError(source, `the name ${JSON.stringify(n.name)} is not allowed`);
    }
    names.push(n.name);
  });
  return names;
}

/**
 * Compiles a govaluate-style expression once (`a > 1 && b == "x"`, `ref =~ "^refs/tags/"`,
 * `action in ("opened", "edited")`); a syntax error, an invalid literal pattern or a refused name
 * is an `INVALID_MANIFEST` error here, at load. Nothing is evaluated with `eval` or `Function`.
 */
export function compileExpression(source: string, options: ExpressionOptions = {}): CompiledExpression {
  const tree = parseExpression(source, { dashInNames: options.dashInNames ?? false });
  const variables = variablesOf(tree, source);
  const run = compileNode(tree, source);
  const nested = options.nestedLookup ?? false;
  return {
    source,
    variables,
    evaluate(vars) {
      const lookup: Lookup = (name) => {
        if (Object.hasOwn(vars, name)) return vars[name] ?? null;
        if (nested) {
          const found = walkOwn(vars, name);
          if (found.ok) return found.value ?? null;
        }
        throw expressionInputError(source, `no variable named ${JSON.stringify(name)}`);
      };
      return run(lookup);
    },
  };
}

function walkOwn(vars: Readonly<Record<string, unknown>>, name: string): { ok: boolean; value?: unknown } {
  let current: unknown = vars;
  for (const part of name.split('.')) {
    if (!(isObject(current) || Array.isArray(current)) || !Object.hasOwn(current, part)) return { ok: false };
    current = (current as Record<string, unknown>)[part];
  }
  return { ok: true, value: current };
}
