/**
 * Data filter strings are RE2 patterns found anywhere in the value, as in Argo Events: `main` also
 * passes `maintenance`. These helpers spot values that read like a plain word meant literally.
 */

/** Characters that give a pattern meaning beyond its letters; `.` is left out on purpose (see below). */
const META = /[\\+*?()|[\]{}^$]/;

/**
 * When `pattern` looks like a literal (no pattern syntax apart from `.`, which a person writing
 * `v1.2` means literally), the anchored, escaped pattern that matches exactly that text; otherwise
 * undefined.
 */
export function literalLookingPattern(pattern: string): string | undefined {
  if (pattern === '' || META.test(pattern)) return undefined;
  return `^${pattern.replaceAll('.', '\\.')}$`;
}

/** A path to a whole header (`header.X-Github-Event`): its value is a list of strings, not a string. */
const WHOLE_HEADER = /^headers?\.[^.#|@*?]+$/;

/**
 * The warning `impulse validate` gives for a literal-looking pattern, or undefined. For a path to a
 * whole webhook header (a list of values, compared as the JSON text `["push"]`), it suggests
 * reading the first value (`header.X-Github-Event.0`), since an anchored pattern would never match
 * the list.
 */
export function literalPatternWarning(pattern: string, path = ''): string | undefined {
  const exact = literalLookingPattern(pattern);
  if (exact === undefined) return undefined;
  const dot = pattern.includes('.') ? ', and each "." matches any character' : '';
  const fix = WHOLE_HEADER.test(path)
    ? `read one value with path ${JSON.stringify(`${path}.0`)} (header values are lists) and write ${JSON.stringify(exact)}`
    : `write ${JSON.stringify(exact)}`;
  return `${JSON.stringify(pattern)} is a regular expression found anywhere in the value, so it also matches values such as ${JSON.stringify(`${pattern}-2`)} or ${JSON.stringify(`old-${pattern}`)}${dot}; ${fix} to match exactly ${JSON.stringify(pattern)}`;
}
