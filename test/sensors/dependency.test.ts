import { describe, expect, it } from 'vitest';
import type { EventDependency, EventDependencyFilter } from '../../crds/index.ts';
import { type CloudEvent, createCloudEvent } from '../../eventbus/index.ts';
import { compileDependency } from '../../sensors/dependency.ts';

const event = (data: unknown, time = '2026-05-04T03:00:00Z', source = 'webhook'): CloudEvent =>
  createCloudEvent({ id: 'e1', source, type: 'webhook', subject: 'example', data, time: new Date(time) });

const dependency = (
  filters: EventDependencyFilter | undefined,
  filtersLogicalOperator?: 'and' | 'or',
): EventDependency => ({
  name: 'dep',
  eventSourceName: 'webhook',
  eventName: 'example',
  ...(filters ? { filters } : {}),
  ...(filtersLogicalOperator ? { filtersLogicalOperator } : {}),
});

const compile = (filters?: EventDependencyFilter, operator?: 'and' | 'or') =>
  compileDependency(dependency(filters, operator), 'spec.dependencies[0]');

const all: EventDependencyFilter = {
  context: { source: 'webhook' },
  time: { start: '02:00:00', stop: '04:00:00' },
  data: [{ path: 'a', type: 'string', value: ['^b$'] }],
  exprs: [{ expr: 'n > 5', fields: [{ name: 'n', path: 'n' }] }],
};

describe('compileDependency: filtersLogicalOperator', () => {
  it('accepts every event without filters', () => {
    expect(compile().accepts(event({}))).toEqual({ pass: true, reason: 'no filters' });
  });

  it('with and (default), passes only when every kind passes and names the first that fails', () => {
    const dep = compile(all);
    expect(dep.accepts(event({ a: 'b', n: 7 })).pass).toBe(true);
    const late = dep.accepts(event({ a: 'b', n: 7 }, '2026-05-04T05:00:00Z'));
    expect(late.pass).toBe(false);
    expect(late.reason).toBe(
      'spec.dependencies[0].filters.time: event time 05:00:00 UTC is outside [02:00:00, 04:00:00)',
    );
    const small = dep.accepts(event({ a: 'b', n: 1 }));
    expect(small.pass).toBe(false);
    expect(small.reason).toBe('spec.dependencies[0].filters.exprs[0] (n > 5): false with n = 1');
  });

  it('with or, passes when any kind that is present passes, and lists every failure otherwise', () => {
    const dep = compile(all, 'or');
    expect(dep.accepts(event({ a: 'x', n: 1 }, '2026-05-04T05:00:00Z', 'other')).pass).toBe(false);
    expect(dep.accepts(event({ a: 'x', n: 1 }, '2026-05-04T05:00:00Z', 'webhook')).pass).toBe(true);
    expect(dep.accepts(event({ a: 'x', n: 9 }, '2026-05-04T05:00:00Z', 'other')).pass).toBe(true);
    const none = dep.accepts(event({ a: 'x', n: 1 }, '2026-05-04T05:00:00Z', 'other'));
    expect(none.reason.split('; ')).toEqual([
      'spec.dependencies[0].filters.context: source is "other", expected "webhook"',
      'spec.dependencies[0].filters.time: event time 05:00:00 UTC is outside [02:00:00, 04:00:00)',
      'spec.dependencies[0].filters.data[0] (a): "x" does not match = string ["^b$"]',
      'spec.dependencies[0].filters.exprs[0] (n > 5): false with n = 1',
    ]);
  });

  it('combines filters of one kind by their own operator before combining the kinds', () => {
    const dep = compile(
      {
        dataLogicalOperator: 'or',
        data: [
          { path: 'a', type: 'string', value: ['^x$'] },
          { path: 'a', type: 'string', value: ['^b$'] },
        ],
        exprLogicalOperator: 'and',
        exprs: [
          { expr: 'n > 5', fields: [{ name: 'n', path: 'n' }] },
          { expr: 'n < 10', fields: [{ name: 'n', path: 'n' }] },
        ],
      },
      'and',
    );
    expect(dep.accepts(event({ a: 'b', n: 7 })).pass).toBe(true);
    expect(dep.accepts(event({ a: 'b', n: 12 })).pass).toBe(false);
    expect(dep.accepts(event({ a: 'c', n: 7 })).pass).toBe(false);
  });

  it('explains every filter, even those the verdict did not need', () => {
    const verdict = compile(all).explain(event({ a: 'b', n: 1 }, '2026-05-04T05:00:00Z'));
    expect(verdict.pass).toBe(false);
    expect(verdict.reason).toMatch(/filters\.time: event time 05:00:00 UTC is outside/);
    expect(verdict.checks.map((c) => [c.kind, c.filter, c.pass])).toEqual([
      ['context', 'spec.dependencies[0].filters.context', true],
      ['time', 'spec.dependencies[0].filters.time', false],
      ['data', 'spec.dependencies[0].filters.data[0]', true],
      ['exprs', 'spec.dependencies[0].filters.exprs[0]', false],
    ]);
    expect(verdict.checks[2]!.reason).toBe(
      'spec.dependencies[0].filters.data[0] (a): "b" matches = string ["^b$"]',
    );
  });

  it('gives the same verdict from accepts and explain', () => {
    for (const operator of ['and', 'or'] as const) {
      const dep = compile(all, operator);
      for (const data of [{ a: 'b', n: 7 }, { a: 'x', n: 7 }, { a: 'x', n: 1 }, {}]) {
        for (const time of ['2026-05-04T03:00:00Z', '2026-05-04T05:00:00Z']) {
          const e = event(data, time);
          expect(dep.explain(e).pass).toBe(dep.accepts(e).pass);
        }
      }
    }
  });

  it('hands script filters and transforms to the asynchronous stages', () => {
    expect(
      compileDependency(dependency({ script: 'return true' }), 'spec.dependencies[0]').stages,
    ).toBeDefined();
    expect(
      compileDependency({ ...dependency(undefined), transform: { jq: '.' } }, 'spec.dependencies[0]').stages,
    ).toBeDefined();
    expect(compileDependency(dependency(undefined), 'spec.dependencies[0]').stages).toBeUndefined();
  });

  it('refuses a broken filter when compiled, naming its field', () => {
    expect(() => compile({ time: { start: '25:00:00', stop: '01:00:00' } })).toThrow(
      /^spec\.dependencies\[0\]\.filters\.time\.start: expected a time of day/,
    );
    expect(() => compile({ context: { time: 'now' } })).toThrow(
      /^spec\.dependencies\[0\]\.filters\.context\.time:/,
    );
  });
});
