import type { EventDependency } from '../crds/index.ts';
import type { CloudEvent } from '../eventbus/index.ts';
import { type Check, combineChecks } from './filters/combine.ts';
import { compileContextFilter } from './filters/context.ts';
import { compileDataFilter, type FilterVerdict } from './filters/data.ts';
import { compileExprFilter } from './filters/exprs.ts';
import { compileTimeFilter } from './filters/time.ts';
import { compileScriptStages, type ScriptStages } from './transform.ts';

export type FilterKind = 'context' | 'time' | 'data' | 'exprs';

/** One filter's own verdict, for explanations (`impulse test-sensor`). */
export interface FilterCheck extends FilterVerdict {
  kind: FilterKind;
  /** Where the filter sits in the Sensor: `spec.dependencies[0].filters.data[1]`. */
  filter: string;
}

/** A dependency's verdict with the verdict of each of its filters. */
export interface DependencyVerdict extends FilterVerdict {
  /** Every filter, evaluated whether or not the verdict needed it: context, time, data, exprs. */
  checks: FilterCheck[];
}

/** A dependency ready for events: its subject tokens and its filters, compiled once. */
export interface CompiledDependency {
  name: string;
  eventSourceName: string;
  eventName: string;
  /** Whether an event passes this dependency's filters, and why. Stops at the first decisive filter. */
  accepts(event: CloudEvent): FilterVerdict;
  /** The same verdict, with every filter evaluated and reported on its own. */
  explain(event: CloudEvent): DependencyVerdict;
  /**
   * The dependency's `transform` and `script` filter, which run in a worker (asynchronously); absent
   * when it has neither. With them, `stages.evaluate` replaces `accepts`.
   */
  stages?: ScriptStages;
}

interface KindGroup {
  kind: FilterKind;
  operator: 'and' | 'or';
  filters: Array<{ filter: string; check: Check<CloudEvent> }>;
}

/**
 * Compiles a dependency's filters (every pattern, path and expression once; a broken one is an
 * `INVALID_MANIFEST` error naming its field). Kinds are evaluated cheapest first: context, time,
 * data, exprs. Within a kind, filters combine with `dataLogicalOperator` / `exprLogicalOperator`;
 * the kinds combine with `filtersLogicalOperator` (default `and`; `or` passes when any kind that is
 * present passes). A dependency without filters accepts every event. A `transform` and a `script`
 * filter run in a worker: they come back as `stages`, which the runtime awaits instead of `accepts`.
 */
export function compileDependency(dependency: EventDependency, where: string): CompiledDependency {
  const filters = dependency.filters;
  const base = `${where}.filters`;
  const groups: KindGroup[] = [];
  if (filters?.context) {
    const filter = `${base}.context`;
    groups.push({
      kind: 'context',
      operator: 'and',
      filters: [{ filter, check: compileContextFilter(filters.context, filter) }],
    });
  }
  if (filters?.time) {
    const filter = `${base}.time`;
    groups.push({
      kind: 'time',
      operator: 'and',
      filters: [{ filter, check: compileTimeFilter(filters.time, filter) }],
    });
  }
  if (filters?.data?.length) {
    groups.push({
      kind: 'data',
      operator: filters.dataLogicalOperator ?? 'and',
      filters: filters.data.map((f, i) => {
        const filter = `${base}.data[${i}]`;
        const check = compileDataFilter(f, filter);
        return { filter, check: (event: CloudEvent) => check(event.data) };
      }),
    });
  }
  if (filters?.exprs?.length) {
    groups.push({
      kind: 'exprs',
      operator: filters.exprLogicalOperator ?? 'and',
      filters: filters.exprs.map((f, i) => {
        const filter = `${base}.exprs[${i}]`;
        const check = compileExprFilter(f, filter);
        return { filter, check: (event: CloudEvent) => check(event.data) };
      }),
    });
  }
  const operator = dependency.filtersLogicalOperator ?? 'and';
  const accepts = combineChecks(
    groups.map((g) =>
      combineChecks(
        g.filters.map((f) => f.check),
        g.operator,
        '',
      ),
    ),
    operator,
    'no filters',
  );

  const stages = compileScriptStages(dependency, where);
  return {
    name: dependency.name,
    eventSourceName: dependency.eventSourceName,
    eventName: dependency.eventName,
    accepts,
    ...(stages ? { stages } : {}),
    explain(event) {
      const checks: FilterCheck[] = [];
      const kindVerdicts = groups.map((g) => {
        const verdicts = g.filters.map((f) => {
          const verdict = f.check(event);
          checks.push({ kind: g.kind, filter: f.filter, pass: verdict.pass, reason: verdict.reason });
          return verdict;
        });
        return combineVerdicts(verdicts, g.operator);
      });
      const verdict = combineVerdicts(kindVerdicts, operator);
      return { pass: verdict.pass, reason: verdict.reason, checks };
    },
  };
}

/** `combineChecks` on verdicts already worked out: the same pass and the same reason. */
function combineVerdicts(verdicts: readonly FilterVerdict[], operator: 'and' | 'or'): FilterVerdict {
  if (verdicts.length === 0) return { pass: true, reason: 'no filters' };
  return combineChecks(
    verdicts.map((v) => () => v),
    operator,
    'no filters',
  )(undefined);
}
