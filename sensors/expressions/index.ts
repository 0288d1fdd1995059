/**
 * The expression language of sensor `exprs` filters and trigger `conditions`: govaluate-compatible
 * (Argo Events uses govaluate), parsed by jsep with govaluate's lexical rules and precedence, and
 * evaluated by our own closures. Regular expressions are RE2, run in linear time.
 */
export { type CompiledCondition, compileCondition } from './conditions.ts';
export { type CompiledExprLang, compileExprLang } from './expr-lang.ts';
export { type CompiledExpression, compileExpression, type ExpressionOptions } from './expression.ts';
export {
  compileSourceFilter,
  filterEnvironment,
  type SourceFilter,
  type SourceFilterProblem,
  type SourceFilterVerdict,
  sourceFilterProblems,
} from './source-filter.ts';
export { formatGoValue } from './values.ts';
