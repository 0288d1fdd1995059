import { ImpulseError, isImpulseError } from '../../core/errors.ts';
import { type CompiledExprLang, compileExprLang } from './expr-lang.ts';
import { describe, isObject } from './values.ts';

/** What an EventSource filter decided about one payload. */
export interface SourceFilterVerdict {
  pass: boolean;
  reason: string;
  /** The expression could not be evaluated on this payload (a type error, data that is not a map). */
  error?: boolean;
}

export type SourceFilter = (payload: unknown) => SourceFilterVerdict;

/** A problem with an EventSource `filter` as written, relative to the filter. */
export interface SourceFilterProblem {
  path: string[];
  message: string;
}

/**
 * Checks an EventSource event's `filter` at load: the expression must be there (Argo Events drops
 * every event when it is empty), must parse as the supported expr-lang subset, and must be able to
 * give true or false.
 */
export function sourceFilterProblems(filter: { expression?: string }): SourceFilterProblem[] {
  const expression = filter.expression ?? '';
  if (expression.trim() === '') {
    return [
      {
        path: ['expression'],
        message:
          'is required: with no expression Argo Events drops every event; write one, such as body.action == "opened", or remove the filter',
      },
    ];
  }
  let compiled: CompiledExprLang;
  try {
    compiled = compileExprLang(expression);
  } catch (err) {
    return [{ path: ['expression'], message: err instanceof Error ? err.message : String(err) }];
  }
  if (compiled.constant !== undefined) {
    return [{ path: ['expression'], message: `is ${compiled.constant}, which is never true or false` }];
  }
  return [];
}

/**
 * Compiles an EventSource event's `filter`, applied to each payload before it is published. As in
 * Argo Events, the payload must be a JSON object; its top-level keys are the expression's names,
 * with `-` read as `_` (`x-hub` is `x_hub`) and dotted keys (`a.b`) expanded into nested maps. The
 * event passes only when the expression gives `true`; an expression that fails on a payload (a
 * type error, reading a field of nil) drops it too, with the error as the reason. Throws
 * `INVALID_MANIFEST` for what `sourceFilterProblems` finds.
 */
export function compileSourceFilter(filter: { expression?: string }, where: string): SourceFilter {
  const problems = sourceFilterProblems(filter);
  if (problems.length > 0) {
    const text = problems.map((p) => `${where}.${p.path.join('.')}: ${p.message}`).join('; ');
    throw new ImpulseError('INVALID_MANIFEST', text, { details: { path: `${where}.expression` } });
  }
  const compiled: CompiledExprLang = compileExprLang(filter.expression!);
  const label = `${where}.expression (${compiled.source})`;
  return (payload) => {
    if (!isObject(payload)) {
      return { pass: false, error: true, reason: `${label}: the payload is ${describe(payload)}, not a map` };
    }
    let result: unknown;
    try {
      result = compiled.evaluate(filterEnvironment(payload));
    } catch (err) {
      if (!isImpulseError(err, 'INVALID_INPUT')) throw err;
      return { pass: false, error: true, reason: `${where}: ${err.message}` };
    }
    if (typeof result !== 'boolean') {
      return { pass: false, error: true, reason: `${label}: gave ${describe(result)}, not true or false` };
    }
    return { pass: result, reason: `${label}: ${result}` };
  };
}

/**
 * The names a source filter sees: the payload's top-level keys with `-` turned into `_`, and a key
 * with dots expanded into nested maps (when both `a` and `a.b` exist, the less specific `a` is
 * dropped), as Argo Events prepares them. Payloads without such keys are used as they are.
 */
export function filterEnvironment(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const keys = Object.keys(payload);
  if (!keys.some((k) => k.includes('-') || k.includes('.'))) return payload as Record<string, unknown>;
  const renamed = new Map<string, unknown>();
  for (const key of keys) renamed.set(key.replaceAll('-', '_'), payload[key]);
  const sorted = [...renamed.keys()].sort();
  const env: Record<string, unknown> = Object.create(null);
  sorted.forEach((key, i) => {
    // A key that a more specific one extends (`a` before `a.b`) gives way to it.
    if (sorted[i + 1]?.startsWith(`${key}.`)) return;
    const parts = key.split('.');
    let holder = env;
    for (const part of parts.slice(0, -1)) {
      const existing = holder[part];
      if (!isObject(existing)) holder[part] = Object.create(null);
      holder = holder[part] as Record<string, unknown>;
    }
    holder[parts[parts.length - 1]!] = renamed.get(key);
  });
  return env;
}
