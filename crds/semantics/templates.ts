import type { SemanticProblem } from '../kinds.ts';
import type { Sensor } from '../sensor.ts';

/** Checks a Sensor's templates at load: syntax, and functions Impulse does not have. */
export function templateProblems(_sensor: Sensor): SemanticProblem[] {
  return [];
}
