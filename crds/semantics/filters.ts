import type { SemanticProblem } from '../kinds.ts';
import type { Sensor } from '../sensor.ts';

/** Checks a Sensor's dependency filters at load: patterns, paths and expressions that cannot work. */
export function filterProblems(_sensor: Sensor): SemanticProblem[] {
  return [];
}
