import { isImpulseError } from '../../core/errors.ts';
import type { ExprFilter } from '../../crds/index.ts';
import { type CompiledExpression, compileExpression } from '../expressions/index.ts';
import { type CompiledPath, compilePath } from '../paths/index.ts';
import { type Check, combineChecks, LazyVerdict, showValue } from './combine.ts';
import type { FilterVerdict } from './data.ts';
import { type FilterProblem, problemFrom, throwOnErrors } from './problems.ts';

/**
 * Checks one `exprs` entry as written: the expression parses (govaluate syntax, literal patterns
 * valid RE2), every field path parses, and every name the expression reads is one of its fields
 * (govaluate would fail on each event otherwise). A field the expression never reads is a warning:
 * its path must still exist for the filter to pass, as in Argo Events.
 */
export function exprFilterProblems(filter: ExprFilter): FilterProblem[] {
  const problems: FilterProblem[] = [];
  let expression: CompiledExpression | undefined;
  try {
    expression = compileExpression(filter.expr);
  } catch (err) {
    problems.push(problemFrom(['expr'], err));
  }
  const names = new Map<string, number>();
  filter.fields.forEach((field, i) => {
    try {
      compilePath(field.path);
    } catch (err) {
      problems.push(problemFrom(['fields', i, 'path'], err));
    }
    if (names.has(field.name)) {
      problems.push({
        path: ['fields', i, 'name'],
        message: `field "${field.name}" is named twice (also fields[${names.get(field.name)}]); the later path wins`,
        severity: 'warning',
      });
    }
    names.set(field.name, i);
  });
  if (!expression) return problems;
  const known = [...names.keys()].map((n) => JSON.stringify(n)).join(', ');
  for (const variable of expression.variables) {
    if (!names.has(variable)) {
      problems.push({
        path: ['expr'],
        message: `uses "${variable}", which is not one of its fields (${known}); add a field {name: ${variable}, path: ...}`,
      });
    }
  }
  filter.fields.forEach((field, i) => {
    if (!expression.variables.includes(field.name) && names.get(field.name) === i) {
      problems.push({
        path: ['fields', i, 'name'],
        message: `"${field.name}" is not used by the expression, but its path must still exist in the event for the filter to pass`,
        severity: 'warning',
      });
    }
  });
  return problems;
}

interface Field {
  name: string;
  path: CompiledPath;
}

/**
 * Compiles one `exprs` entry: reads each field's path from the event data (a missing path fails the
 * filter), binds the values to their names and evaluates the expression, which passes only when it
 * gives `true`. A type error while evaluating (`"a" > 1`) fails the filter with that error as the
 * reason. Throws `INVALID_MANIFEST` for the errors `exprFilterProblems` finds.
 */
export function compileExprFilter(filter: ExprFilter, where: string): Check<unknown> {
  throwOnErrors(exprFilterProblems(filter), where);
  const expression = compileExpression(filter.expr);
  const fields: Field[] = filter.fields.map((f) => ({ name: f.name, path: compilePath(f.path) }));
  const label = `${where} (${filter.expr})`;
  const bound = (vars: Record<string, unknown>) =>
    fields.map((f) => `${f.name} = ${showValue(vars[f.name])}`).join(', ');
  const explainTrue = (vars: Record<string, unknown>) => `${label}: true with ${bound(vars)}`;
  return (data) => {
    const vars: Record<string, unknown> = {};
    for (const field of fields) {
      const found = field.path(data);
      if (!found.exists) {
        return {
          pass: false,
          reason: `${label}: path "${field.path.source}" (field ${field.name}) does not exist in the event`,
        };
      }
      vars[field.name] = found.value;
    }
    let result: unknown;
    try {
      result = expression.evaluate(vars);
    } catch (err) {
      if (!isImpulseError(err, 'INVALID_INPUT')) throw err;
      return { pass: false, reason: `${where}: ${err.message}` };
    }
    if (result === true) return new LazyVerdict(true, explainTrue, vars);
    const gave = typeof result === 'boolean' ? 'false' : `${showValue(result)}, not true,`;
    return { pass: false, reason: `${label}: ${gave} with ${bound(vars)}` };
  };
}

/** Compiles `filters.exprs` combined by `exprLogicalOperator` (default `and`). */
export function compileExprFilters(
  filters: readonly ExprFilter[],
  operator: 'and' | 'or' = 'and',
  where = 'filters.exprs',
): (data: unknown) => FilterVerdict {
  const checks = filters.map((filter, i) => compileExprFilter(filter, `${where}[${i}]`));
  return combineChecks(checks, operator, 'no expression filters');
}
