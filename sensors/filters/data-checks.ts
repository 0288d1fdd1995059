import { RE2JS } from 're2js';
import type { DataFilter } from '../../crds/index.ts';
import { compilePath } from '../paths/index.ts';
import { literalPatternWarning } from './patterns.ts';
import { type FilterProblem, messageOf, problemFrom } from './problems.ts';

const GO_BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * Checks one data filter as written, with the same rules the sensor applies when it starts: the
 * path parses, strings are valid RE2 patterns compared with `=` or `!=` only, numbers and booleans
 * parse. A string that reads like a literal but would match more (`main` also matches
 * `maintenance`) is a warning that suggests the anchored pattern. `template` is checked with the
 * other templates.
 */
export function dataFilterProblems(filter: DataFilter): FilterProblem[] {
  const problems: FilterProblem[] = [];
  try {
    compilePath(filter.path);
  } catch (err) {
    problems.push(problemFrom(['path'], err));
  }
  const comparator = filter.comparator ?? '=';
  filter.value.forEach((value, i) => {
    const at = ['value', i];
    switch (filter.type) {
      case 'string': {
        try {
          RE2JS.compile(value);
        } catch (err) {
          problems.push({ path: at, message: `"${value}" is not a valid RE2 pattern: ${messageOf(err)}` });
          return;
        }
        // A template rewrites the value first, so the pattern may be meant for its output.
        const hint = filter.template === undefined ? literalPatternWarning(value, filter.path) : undefined;
        if (hint) problems.push({ path: at, message: hint, severity: 'warning' });
        return;
      }
      case 'number':
        if (value.trim() === '' || Number.isNaN(Number(value.trim()))) {
          problems.push({ path: at, message: `"${value}" is not a number` });
        }
        return;
      case 'bool':
        if (!GO_BOOLS.has(value)) {
          problems.push({ path: at, message: `"${value}" is not a boolean (true, false, 1, 0, t, f)` });
        }
        return;
    }
  });
  if (filter.type === 'string' && comparator !== '=' && comparator !== '!=') {
    problems.push({
      path: ['comparator'],
      message: `a string filter compares with "=" or "!=" only, found "${comparator}"`,
    });
  }
  return problems;
}
