import { RE2JS } from 're2js';
import type { FieldPath } from '../issues.ts';
import type { SemanticProblem } from '../kinds.ts';
import { isRecord } from './shared.ts';

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const FIELD_OPERATIONS = new Set(['', '=', '==', '!=']);

/** One `filter.labels` / `filter.fields` entry as written. */
export interface SelectorEntry {
  key: string;
  operation?: string;
  value?: string;
}

/**
 * What is wrong with one `filter.labels` entry, as Kubernetes' label selector parser would say it
 * (Argo Events hands these to the API server), or undefined when it is a valid requirement.
 */
export function labelRequirementProblem(sel: SelectorEntry): string | undefined {
  const op = sel.operation ?? '';
  const value = sel.value ?? '';
  const name = sel.key.includes('/') ? sel.key.slice(sel.key.indexOf('/') + 1) : sel.key;
  if (!LABEL_KEY.test(sel.key) || name.length > 63 || sel.key.length - name.length > 254) {
    return `"${sel.key}" is not a label key: expected an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or "."`;
  }
  const values = op === 'in' || op === 'notin' ? value.split(',') : [value];
  if ((op === 'exists' || op === '!') && value !== '') {
    return `operation "${op}" takes no value; remove value "${value}"`;
  }
  if ((op === 'in' || op === 'notin') && value === '') {
    return `operation "${op}" needs a comma-separated list of values`;
  }
  if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(value)) {
    return `operation "${op}" needs an integer value, found "${value}"`;
  }
  for (const v of values) {
    if (!LABEL_VALUE.test(v) || v.length > 63) {
      return `"${v}" is not a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
    }
  }
  return undefined;
}

/** What is wrong with one `filter.fields` entry: an operation other than =, == or != or a bad regex. */
export function fieldRequirementProblem(sel: SelectorEntry): string | undefined {
  const op = sel.operation ?? '';
  if (!FIELD_OPERATIONS.has(op)) {
    return `operation "${op}" is not supported on fields; use "=", "==" or "!=" (the value is a regular expression)`;
  }
  try {
    RE2JS.compile(sel.value ?? '');
  } catch (err) {
    return `value "${sel.value}" is not a valid RE2 regular expression: ${(err as Error).message}`;
  }
  return undefined;
}

/** Checks a `spec.resource.<event>` entry beyond its schema: its label and field requirements. */
export function resourceProblems(config: Record<string, unknown>, path: FieldPath): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const filter = config.filter;
  if (!isRecord(filter)) return problems;
  const check = (
    list: unknown,
    field: 'labels' | 'fields',
    judge: (s: SelectorEntry) => string | undefined,
  ) => {
    if (!Array.isArray(list)) return;
    list.forEach((entry, i) => {
      if (!isRecord(entry) || typeof entry.key !== 'string') return;
      const message = judge(entry as unknown as SelectorEntry);
      if (message) problems.push({ path: [...path, 'filter', field, i], message });
    });
  };
  check(filter.labels, 'labels', labelRequirementProblem);
  check(filter.fields, 'fields', fieldRequirementProblem);
  return problems;
}
