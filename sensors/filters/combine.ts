import type { FilterVerdict } from './data.ts';

/** One check of an input (event data, or the whole event), with its verdict and reason. */
export type Check<T> = (input: T) => FilterVerdict;

/**
 * A verdict whose reason is written out only when someone reads it. Filters run on every event and
 * most reasons are never read (a passing event is not logged), so building the text lazily keeps
 * the hot path cheap. `explain` is made once per filter; `detail` carries what this event showed.
 * `reason` is a getter: read it from the verdict (a spread copy `{...verdict}` has no reason).
 */
export class LazyVerdict<D = unknown> implements FilterVerdict {
  readonly pass: boolean;
  readonly #explain: (detail: D) => string;
  readonly #detail: D;
  #reason: string | undefined;

  constructor(pass: boolean, explain: (detail: D) => string, detail: D) {
    this.pass = pass;
    this.#explain = explain;
    this.#detail = detail;
  }

  get reason(): string {
    this.#reason ??= this.#explain(this.#detail);
    return this.#reason;
  }
}

const joinReasons = (verdicts: readonly FilterVerdict[]) => verdicts.map((v) => v.reason).join('; ');

/**
 * Combines checks as Argo Events does: `and` stops at the first check that fails and reports it;
 * `or` stops at the first check that passes and reports it. When every check was needed, the
 * reasons are joined with "; " so the verdict says what each one found. No checks at all pass.
 */
export function combineChecks<T>(
  checks: ReadonlyArray<Check<T>>,
  operator: 'and' | 'or',
  none: string,
): Check<T> {
  if (checks.length === 0) return () => ({ pass: true, reason: none });
  if (checks.length === 1) return checks[0]!;
  const wanted = operator === 'or';
  return (input) => {
    const verdicts: FilterVerdict[] = [];
    for (const check of checks) {
      const verdict = check(input);
      if (verdict.pass === wanted) return verdict;
      verdicts.push(verdict);
    }
    return new LazyVerdict(!wanted, joinReasons, verdicts);
  };
}

/** A value as the reasons show it: compact JSON, cut short when long. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
