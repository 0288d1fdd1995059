import { sourceFilterProblems } from '../../sensors/expressions/index.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import { isRecord } from './shared.ts';

/**
 * Checks an event's `filter` (Argo Events' `filter.expression`, applied before publishing): an
 * expression is required and must be in the expr-lang subset Impulse runs.
 */
export function sourceFilterProblemsAt(config: Record<string, unknown>, path: FieldPath): SemanticProblem[] {
  const filter = config.filter;
  if (!isRecord(filter)) return [];
  return sourceFilterProblems(filter as { expression?: string }).map((p) => ({
    path: [...path, 'filter', ...p.path],
    message: p.message,
  }));
}
