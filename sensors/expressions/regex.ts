import { RE2JS } from 're2js';

/**
 * Regular expressions for `=~` and `!~`: RE2 syntax, as Go's `regexp` (which govaluate uses), run
 * by a linear-time engine so no pattern can hang the process. A match is found anywhere in the
 * string unless the pattern anchors itself; `(?i)` and the other RE2 flags work inline.
 */
export type Regex = RE2JS;

/** Compiles a pattern; throws re2js's syntax error for a malformed one. */
export function compileRegex(pattern: string): Regex {
  return RE2JS.compile(pattern);
}

export function regexTest(regex: Regex, input: string): boolean {
  return regex.test(input);
}

/**
 * Compiles patterns that only arrive at evaluation time (`a =~ b`, with `b` a variable), keeping
 * the most recent ones so that a steady stream of events does not recompile the same pattern.
 */
export class RegexCache {
  private readonly entries = new Map<string, Regex>();

  constructor(private readonly limit = 32) {}

  get(pattern: string): Regex {
    let regex = this.entries.get(pattern);
    if (regex === undefined) {
      regex = compileRegex(pattern);
      if (this.entries.size >= this.limit) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.set(pattern, regex);
    }
    return regex;
  }
}
