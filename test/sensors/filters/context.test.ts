import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import type { EventContext } from '../../../crds/index.ts';
import { createCloudEvent } from '../../../eventbus/index.ts';
import { compileContextFilter, contextFilterProblems } from '../../../sensors/filters/index.ts';

const event = createCloudEvent({
  id: 'e1',
  source: 'custom-webhook',
  type: 'webhook',
  subject: 'example',
  data: {},
});
const verdict = (context: EventContext, e = event) => compileContextFilter(context)(e);

describe('context filters', () => {
  it('compare each attribute given exactly, as Argo Events does', () => {
    expect(verdict({ source: 'custom-webhook' }).pass).toBe(true);
    expect(verdict({ type: 'webhook', subject: 'example', datacontenttype: 'application/json' }).pass).toBe(
      true,
    );
    expect(verdict({ source: 'custom' }).pass).toBe(false);
    expect(verdict({ source: 'Custom-Webhook' }).pass).toBe(false);
    expect(verdict({ type: 'calendar' }).pass).toBe(false);
  });

  it('say which attributes differ and what they were', () => {
    expect(verdict({ source: 'other', type: 'webhook', subject: 'push' })).toEqual({
      pass: false,
      reason:
        'filters.context: subject is "example", expected "push", source is "custom-webhook", expected "other"',
    });
    expect(verdict({ source: 'custom-webhook' })).toEqual({
      pass: true,
      reason: 'filters.context: source "custom-webhook" as required',
    });
  });

  it('compare specversion too, which every event Impulse publishes sets to 1.0', () => {
    expect(verdict({ specversion: '1.0' }).pass).toBe(true);
    expect(verdict({ specversion: '0.3' }).pass).toBe(false);
  });

  it('skip empty attributes, as Argo Events does, and warn when nothing is compared', () => {
    expect(verdict({ source: '', type: 'webhook' }).pass).toBe(true);
    expect(verdict({}).pass).toBe(true);
    expect(contextFilterProblems({ source: '' })).toEqual([
      {
        path: [],
        message:
          'names no attribute to compare, so it passes every event (and with filtersLogicalOperator: or, so does the dependency)',
        severity: 'warning',
      },
    ]);
  });

  it('refuse id and time, which Argo Events accepts but never compares', () => {
    const problems = contextFilterProblems({ id: 'x', time: '2026-01-01T00:00:00Z', source: 's' });
    expect(problems.map((p) => p.path)).toEqual([['id'], ['time']]);
    expect(problems[1]!.message).toMatch(/use filters\.time for a daily window/);
    let err: unknown;
    try {
      compileContextFilter({ id: 'x' }, 'spec.dependencies[0].filters.context');
    } catch (e) {
      err = e;
    }
    expect(isImpulseError(err, 'INVALID_MANIFEST')).toBe(true);
    expect((err as Error).message).toMatch(
      /^spec\.dependencies\[0\]\.filters\.context\.id: Argo Events accepts/,
    );
  });

  it('fail on an event that lacks the attribute', () => {
    const { subject: _, ...noSubject } = event;
    expect(verdict({ subject: 'example' }, noSubject as typeof event)).toEqual({
      pass: false,
      reason: 'filters.context: subject is missing, expected "example"',
    });
  });
});
