import { ImpulseError } from '../../core/errors.ts';

/**
 * An expression that cannot be compiled, found while loading a manifest. `index` is 0-based (or
 * undefined when the problem has no single place); messages count characters from 1.
 */
export function expressionSyntaxError(source: string, problem: string, index?: number): ImpulseError {
  const where = index === undefined ? '' : ` at character ${index + 1}`;
  return new ImpulseError(
    'INVALID_MANIFEST',
    `invalid expression ${JSON.stringify(source)}: ${problem}${where}`,
    {
      details: index === undefined ? { expression: source } : { expression: source, position: index + 1 },
    },
  );
}

/** An expression that compiled but cannot work on the values given (a type error, a missing variable). */
export function expressionInputError(source: string, problem: string, cause?: unknown): ImpulseError {
  return new ImpulseError('INVALID_INPUT', `expression ${JSON.stringify(source)}: ${problem}`, {
    cause,
    details: { expression: source },
  });
}
