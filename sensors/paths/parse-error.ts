import { ImpulseError } from '../../core/errors.ts';

/**
 * A malformed path found while loading a manifest. `index` is 0-based; the message and `details`
 * count characters from 1, the way people read them.
 */
export function pathSyntaxError(path: string, problem: string, index: number): ImpulseError {
  const position = index + 1;
  return new ImpulseError(
    'INVALID_MANIFEST',
    `invalid path ${JSON.stringify(path)}: ${problem} at character ${position}`,
    {
      details: { path, position },
    },
  );
}

/** A path feature that gjson has and Impulse does not implement. */
export function pathUnsupportedError(path: string, problem: string, index: number): ImpulseError {
  const position = index + 1;
  return new ImpulseError(
    'UNSUPPORTED',
    `path ${JSON.stringify(path)}: ${problem} at character ${position}`,
    {
      details: { path, position },
    },
  );
}
