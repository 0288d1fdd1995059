import { ImpulseError } from '../../core/errors.ts';

/** Line (1-based) and column (0-based, as Go's template errors count it) of an offset in the source. */
export function lineAndColumn(source: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: pos - lineStart };
}

/**
 * A template that does not parse, or names a function Impulse does not have, worded as Go does
 * (`template: name:line: message`). `INVALID_MANIFEST`, or `UNSUPPORTED` for a known feature that
 * Impulse leaves out.
 */
export function templateError(
  name: string,
  source: string,
  pos: number,
  message: string,
  code: 'INVALID_MANIFEST' | 'UNSUPPORTED' = 'INVALID_MANIFEST',
  details: Record<string, unknown> = {},
): ImpulseError {
  const { line, column } = lineAndColumn(source, pos);
  return new ImpulseError(code, `template: ${name}:${line}: ${message}`, {
    details: { line, column, ...details },
  });
}

/** An error a function raised while the template ran; the evaluator adds where it happened. */
export class GoFuncError extends Error {
  override readonly name = 'GoFuncError';
}
