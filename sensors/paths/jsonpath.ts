import { JSONPath } from 'jsonpath-plus';
import { ImpulseError } from '../../core/errors.ts';
import { MISSING } from './gjson-eval.ts';
import { pathSyntaxError, pathUnsupportedError } from './parse-error.ts';

/** Checks that brackets and quotes pair up; jsonpath-plus quietly accepts `$.a[`. */
function checkBalance(path: string): void {
  const open: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path.charAt(i);
    if (c === "'" || c === '"') {
      const close = path.indexOf(c, i + 1);
      if (close < 0) throw pathSyntaxError(path, 'the string is not closed', i);
      i = close;
    } else if (c === '[' || c === '(') {
      open.push(i);
    } else if (c === ']' || c === ')') {
      if (open.pop() === undefined) throw pathSyntaxError(path, `unexpected ${JSON.stringify(c)}`, i);
    }
  }
  const last = open.pop();
  if (last !== undefined) throw pathSyntaxError(path, `the "${path.charAt(last)}" is not closed`, last);
}

/**
 * Compiles a JSONPath (a path that starts with `$`), evaluated by jsonpath-plus with script
 * evaluation switched off: filters `[?(...)]` and computed members `[(...)]` are refused here, at
 * load, rather than failing on the first event. The result follows `wrap` semantics: one match is
 * that value, several are an array, none is MISSING.
 */
export function compileJsonPath(path: string): (data: unknown) => unknown {
  checkBalance(path);
  const steps = JSONPath.toPathArray(path);
  for (const step of steps) {
    if (step.startsWith('?(') || step.startsWith('(')) {
      throw pathUnsupportedError(
        path,
        'JSONPath script expressions are disabled',
        Math.max(0, path.indexOf(step)),
      );
    }
    if (step.startsWith('@')) {
      throw pathUnsupportedError(
        path,
        `the JSONPath type selector ${step} is not supported`,
        path.indexOf(step),
      );
    }
  }
  const rootOnly = steps.length === 1 && steps[0] === '$';
  return (data) => {
    // jsonpath-plus treats a falsy document as "no document"; only `$` itself can name a scalar root.
    if (typeof data !== 'object' || data === null) return rootOnly && data !== undefined ? data : MISSING;
    let found: unknown[];
    try {
      found = JSONPath({ path, json: data, eval: false, wrap: true, resultType: 'value' }) as unknown[];
    } catch (err) {
      throw new ImpulseError('INVALID_INPUT', `JSONPath ${JSON.stringify(path)} failed: ${String(err)}`, {
        cause: err,
        details: { path },
      });
    }
    if (found.length === 0) return MISSING;
    return found.length === 1 ? found[0] : found;
  };
}
