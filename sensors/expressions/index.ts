/**
 * The expression language of sensor `exprs` filters and trigger `conditions`: govaluate-compatible
 * (Argo Events uses govaluate), parsed by jsep with govaluate's lexical rules and precedence, and
 * evaluated by our own closures. Regular expressions are RE2, run in linear time.
 */
export { type CompiledCondition, compileCondition } from './conditions.ts';
export { type CompiledExpression, compileExpression, type ExpressionOptions } from './expression.ts';
export { formatGoValue } from './values.ts';
