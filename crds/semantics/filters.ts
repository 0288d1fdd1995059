import {
  contextFilterProblems,
  dataFilterProblems,
  exprFilterProblems,
  type FilterProblem,
  timeFilterProblems,
} from '../../sensors/filters/index.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import type { Sensor } from '../sensor.ts';

/**
 * Checks a Sensor's dependency filters at load, with the rules the sensor applies when it starts:
 * patterns that are not RE2, paths and expressions that do not parse, expression names that are
 * not among the filter's fields, comparators a type cannot use, times of day and zones, and context
 * attributes Impulse refuses. Warns about data filter strings that read like literals but match
 * more (`main` also matches `maintenance`) and about filters that pass every event.
 */
export function filterProblems(sensor: Sensor): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  (sensor.spec.dependencies ?? []).forEach((dependency, i) => {
    const filters = dependency.filters;
    if (!filters) return;
    const base: FieldPath = ['spec', 'dependencies', i, 'filters'];
    const add = (at: FieldPath, found: readonly FilterProblem[]) => {
      for (const p of found) {
        problems.push({
          path: [...at, ...p.path],
          message: p.message,
          ...(p.severity ? { severity: p.severity } : {}),
        });
      }
    };
    for (const [j, filter] of (filters.data ?? []).entries())
      add([...base, 'data', j], dataFilterProblems(filter));
    for (const [j, filter] of (filters.exprs ?? []).entries())
      add([...base, 'exprs', j], exprFilterProblems(filter));
    if (filters.context) add([...base, 'context'], contextFilterProblems(filters.context));
    if (filters.time) add([...base, 'time'], timeFilterProblems(filters.time));
  });
  return problems;
}
