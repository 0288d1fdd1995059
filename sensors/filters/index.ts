/**
 * Sensor filters, one pure module per kind: `data`, `exprs`, `context` and `time`. Each kind has a
 * `...Problems` function that checks a filter as written (for `impulse validate`) and a `compile...`
 * function that refuses the same errors and returns a check with a verdict and a readable reason.
 */
export { type Check, combineChecks } from './combine.ts';
export { compileContextFilter, contextFilterProblems } from './context.ts';
export { compileDataFilter, compileDataFilters, type DataFilterFn, type FilterVerdict } from './data.ts';
export { dataFilterProblems } from './data-checks.ts';
export { compileExprFilter, compileExprFilters, exprFilterProblems } from './exprs.ts';
export { literalLookingPattern, literalPatternWarning } from './patterns.ts';
export { type FilterProblem, joinPath } from './problems.ts';
export { compileTimeFilter, timeFilterProblems } from './time.ts';
