import { describe, expect, it } from 'vitest';
import { parseManifestText, validateDocument } from '../../../crds/index.ts';

function problems(spec: string): string[] {
  const { documents } = parseManifestText(
    'cal.yaml',
    `apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata: {name: cal}\nspec:\n${spec}`,
  );
  const verdict = validateDocument(documents[0]!);
  return verdict.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('calendar validation', () => {
  it('rejects a schedule that is not cron and an interval of zero, naming the field', () => {
    expect(problems('  calendar:\n    a: {schedule: "61 * * * *"}\n    b: {interval: 0s}\n')).toEqual([
      'spec.calendar.a.schedule: "61 * * * *" is not a cron expression (Invalid value for minute: 61); expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first',
      'spec.calendar.b.interval: must be longer than 0, found "0s"',
    ]);
  });

  it('accepts 5 and 6 fields, names, ? and L', () => {
    expect(
      problems(
        '  calendar:\n    a: {schedule: "0 0 ? * MON"}\n    b: {schedule: "*/10 * * * * *"}\n    c: {schedule: "0 0 L * *"}\n',
      ),
    ).toEqual([]);
  });
});
