import { ImpulseError, isImpulseError } from '../../core/errors.ts';

/**
 * Something wrong (or suspicious) with a filter as written, found before any event arrives. `path`
 * is relative to the filter it belongs to; `impulse validate` prefixes it with the dependency's
 * place in the Sensor, and a sensor that starts anyway refuses the errors among them.
 */
export interface FilterProblem {
  path: ReadonlyArray<string | number>;
  message: string;
  /** @default 'error' */
  severity?: 'error' | 'warning';
  /** The problem is a feature Impulse leaves out (`UNSUPPORTED`), not a mistake. */
  unsupported?: boolean;
}

/** A problem from whatever a compile step threw (a path, an expression, a pattern). */
export function problemFrom(path: ReadonlyArray<string | number>, err: unknown): FilterProblem {
  return {
    path,
    message: messageOf(err),
    ...(isImpulseError(err, 'UNSUPPORTED') ? { unsupported: true } : {}),
  };
}

/** `where` followed by a relative path: `spec.dependencies[0].filters.exprs[1]` + `['fields', 0]`. */
export function joinPath(where: string, path: ReadonlyArray<string | number>): string {
  let out = where;
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
  return out;
}

/** Throws `INVALID_MANIFEST` naming every error among `problems`; warnings do not stop anything. */
export function throwOnErrors(problems: readonly FilterProblem[], where: string): void {
  const errors = problems.filter((p) => (p.severity ?? 'error') === 'error');
  if (errors.length === 0) return;
  const lines = errors.map((p) => `${joinPath(where, p.path)}: ${p.message}`);
  const code = errors.every((p) => p.unsupported) ? 'UNSUPPORTED' : 'INVALID_MANIFEST';
  throw new ImpulseError(code, lines.join('; '), {
    details: { problems: lines },
  });
}

/** The message of whatever a compile step threw. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
