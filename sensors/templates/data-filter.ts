import { ImpulseError } from '../../core/errors.ts';
import { valueToString } from '../paths/index.ts';
import { compileTemplate } from './compile.ts';

/** What a data filter's template made of the value at its path. */
export type FilterTemplateResult = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Compiles a data filter's `template`, as Argo Events applies it: `.Input` is the value found at
 * the filter's path as text (gjson's `String()`: a string as it is, other values as JSON), and the
 * output, a string, is what the filter then compares. An error, an empty output or `<no value>`
 * fails the filter. A template that does not parse is an `INVALID_MANIFEST` (or `UNSUPPORTED`)
 * error that names `where`.
 */
export function compileDataFilterTemplate(
  source: string,
  where: string,
): (value: unknown) => FilterTemplateResult {
  let template: ReturnType<typeof compileTemplate>;
  try {
    template = compileTemplate(source);
  } catch (err) {
    const e = err as ImpulseError;
    throw new ImpulseError(e.code ?? 'INVALID_MANIFEST', `${where}: ${e.message}`, {
      cause: err,
      details: e.details,
    });
  }
  return (value) => {
    let out: string;
    try {
      out = template.render({ Input: valueToString(value) });
    } catch (err) {
      return { ok: false, reason: `template failed: ${(err as Error).message}` };
    }
    if (out === '' || out === '<no value>') {
      return { ok: false, reason: `template gave ${out === '' ? 'an empty result' : '"<no value>"'}` };
    }
    return { ok: true, value: out };
  };
}
