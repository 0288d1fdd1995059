import { durationToMs } from '../../core/duration.ts';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';

/** Characters that would split or widen a NATS subject. */
const SUBJECT_BREAKERS = /[.*>\s]/;

/**
 * Event source names, event names and bus names become NATS subject tokens
 * (`<bus>.<eventSourceName>.<eventName>`), so they must not contain `.`, `*`, `>` or white space.
 */
export function subjectTokenProblem(
  path: FieldPath,
  name: string,
  what: string,
): SemanticProblem | undefined {
  if (name === '') return { path, message: `${what} must not be empty` };
  if (!SUBJECT_BREAKERS.test(name)) return undefined;
  return {
    path,
    message: `${what} "${name}" cannot be used: names become NATS subject tokens and must not contain ".", "*", ">" or spaces`,
  };
}

/** Checks an Argo duration (Go duration string, or integer nanoseconds) if present. */
export function durationProblem(path: FieldPath, value: unknown): SemanticProblem | undefined {
  if (value === undefined) return undefined;
  if ((typeof value === 'string' || typeof value === 'number') && durationToMs(value) !== undefined)
    return undefined;
  return {
    path,
    message: `expected a Go duration such as "10s", "1m30s" or "500ms" (a bare integer counts as nanoseconds), found ${JSON.stringify(value)}`,
  };
}

/** Reports names that appear more than once, at their second and later places. */
export function duplicateNames(
  entries: ReadonlyArray<{ name: string; path: FieldPath }>,
  what: string,
): SemanticProblem[] {
  const first = new Map<string, FieldPath>();
  const problems: SemanticProblem[] = [];
  for (const entry of entries) {
    const earlier = first.get(entry.name);
    if (earlier) {
      problems.push({
        path: entry.path,
        message: `duplicate ${what} "${entry.name}" (also at ${formatAt(earlier)})`,
      });
    } else {
      first.set(entry.name, entry.path);
    }
  }
  return problems;
}

function formatAt(path: FieldPath): string {
  return path
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .slice(1);
}

/** Whether an IANA time zone name is known to this runtime. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function entriesOf(value: unknown): Array<[string, Record<string, unknown>]> {
  if (!isRecord(value)) return [];
  return Object.entries(value).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]));
}
