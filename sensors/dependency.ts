import { ImpulseError } from '../core/errors.ts';
import type { EventDependency } from '../crds/index.ts';
import type { CloudEvent } from '../eventbus/index.ts';
import { compileDataFilters, type FilterVerdict } from './filters/data.ts';

/** A dependency ready for events: its subject tokens and its filters, compiled once. */
export interface CompiledDependency {
  name: string;
  eventSourceName: string;
  eventName: string;
  /** Whether an event passes this dependency's filters, and why. */
  accepts(event: CloudEvent): FilterVerdict;
}

/** Filter kinds other issues implement; until then a sensor using them refuses to start. */
const NOT_YET = ['exprs', 'context', 'time', 'script'] as const;

export function compileDependency(dependency: EventDependency, where: string): CompiledDependency {
  const filters = dependency.filters;
  for (const kind of NOT_YET) {
    if (filters?.[kind] !== undefined) {
      throw new ImpulseError(
        'UNSUPPORTED',
        `${where}.filters.${kind}: ${kind} filters are not supported in this version of Impulse`,
      );
    }
  }
  if (dependency.transform) {
    throw new ImpulseError(
      'UNSUPPORTED',
      `${where}.transform: transforms are not supported in this version of Impulse`,
    );
  }
  const data = compileDataFilters(
    filters?.data ?? [],
    filters?.dataLogicalOperator ?? 'and',
    `${where}.filters.data`,
  );
  return {
    name: dependency.name,
    eventSourceName: dependency.eventSourceName,
    eventName: dependency.eventName,
    accepts: (event) => data(event.data),
  };
}
