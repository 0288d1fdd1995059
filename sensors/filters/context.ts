import type { EventContext } from '../../crds/index.ts';
import type { CloudEvent } from '../../eventbus/index.ts';
import type { Check } from './combine.ts';
import { type FilterProblem, throwOnErrors } from './problems.ts';

/**
 * The CloudEvent attributes a context filter compares, exactly and case-sensitively. Argo Events
 * compares the first four; `specversion` is compared too (every event Impulse publishes says
 * `1.0`), so a manifest that names it means what it says.
 */
const COMPARED = ['type', 'subject', 'source', 'datacontenttype', 'specversion'] as const;

/**
 * Attributes the schema accepts (Argo Events declares them) but a filter cannot sensibly use. Argo
 * Events ignores them silently; Impulse refuses them so nobody relies on a check that never ran.
 */
const REFUSED: Partial<Record<keyof EventContext, string>> = {
  id: 'Argo Events accepts this attribute here but never compares it, and an exact id would pass one event at most; remove it',
  time: 'Argo Events accepts this attribute here but never compares it, and an exact time would pass one instant at most; use filters.time for a daily window, or remove it',
};

/** Checks a context filter as written: refused attributes are errors, a filter comparing nothing a warning. */
export function contextFilterProblems(context: EventContext): FilterProblem[] {
  const problems: FilterProblem[] = [];
  for (const [attribute, message] of Object.entries(REFUSED)) {
    if (context[attribute as keyof EventContext] !== undefined) problems.push({ path: [attribute], message });
  }
  if (problems.length === 0 && COMPARED.every((a) => !context[a])) {
    problems.push({
      path: [],
      message:
        'names no attribute to compare, so it passes every event (and with filtersLogicalOperator: or, so does the dependency)',
      severity: 'warning',
    });
  }
  return problems;
}

/**
 * Compiles `filters.context`: the event passes when every attribute given (and not empty) equals
 * the event's. Throws `INVALID_MANIFEST` for `id` and `time`.
 */
export function compileContextFilter(context: EventContext, where = 'filters.context'): Check<CloudEvent> {
  throwOnErrors(contextFilterProblems(context), where);
  const expected = COMPARED.flatMap((attribute) => {
    const value = context[attribute];
    return value ? [{ attribute, value }] : [];
  });
  const wanted = expected.map((e) => `${e.attribute} ${JSON.stringify(e.value)}`).join(', ');
  // Every passing event has the same reason, so one verdict serves them all.
  const passed = {
    pass: true,
    reason: expected.length ? `${where}: ${wanted} as required` : `${where}: nothing to compare`,
  };
  return (event) => {
    let mismatches: string[] | undefined;
    for (const { attribute, value } of expected) {
      const actual = event[attribute];
      if (actual !== value) {
        mismatches ??= [];
        mismatches.push(
          `${attribute} is ${actual === undefined ? 'missing' : JSON.stringify(actual)}, expected ${JSON.stringify(value)}`,
        );
      }
    }
    if (mismatches) return { pass: false, reason: `${where}: ${mismatches.join(', ')}` };
    return passed;
  };
}
