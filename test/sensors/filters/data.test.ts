import { describe, expect, it } from 'vitest';
import type { DataFilter } from '../../../crds/index.ts';
import { compileDataFilters } from '../../../sensors/index.ts';

const event = {
  body: { branch: 'maintenance', count: '42', n: 7, ok: true, commits: [{ id: 'a' }, { id: 'b' }] },
};
const pass = (filters: DataFilter[], operator: 'and' | 'or' = 'and', data: unknown = event) =>
  compileDataFilters(filters, operator)(data).pass;

describe('data filters', () => {
  it('matches strings as RE2 patterns anywhere in the value, as Argo Events does', () => {
    expect(pass([{ path: 'body.branch', type: 'string', value: ['main'] }])).toBe(true);
    expect(pass([{ path: 'body.branch', type: 'string', value: ['^main$'] }])).toBe(false);
    expect(pass([{ path: 'body.branch', type: 'string', value: ['(?i)MAINT'] }])).toBe(true);
    expect(pass([{ path: 'body.branch', type: 'string', value: ['^main$'], comparator: '!=' }])).toBe(true);
  });

  it('compares numbers as floats, including numbers sent as strings', () => {
    expect(pass([{ path: 'body.count', type: 'number', value: ['42'] }])).toBe(true);
    expect(pass([{ path: 'body.n', type: 'number', value: ['5'], comparator: '>' }])).toBe(true);
    expect(pass([{ path: 'body.n', type: 'number', value: ['7'], comparator: '<' }])).toBe(false);
    expect(pass([{ path: 'body.n', type: 'number', value: ['1', '7'] }])).toBe(true);
  });

  it('compares booleans by truth', () => {
    expect(pass([{ path: 'body.ok', type: 'bool', value: ['true'] }])).toBe(true);
    expect(pass([{ path: 'body.ok', type: 'bool', value: ['false'] }])).toBe(false);
  });

  it('reads array indexes, lengths and projections', () => {
    expect(pass([{ path: 'body.commits.#', type: 'number', value: ['2'] }])).toBe(true);
    expect(pass([{ path: 'body.commits.1.id', type: 'string', value: ['^b$'] }])).toBe(true);
  });

  it('fails on a missing path and says so', () => {
    const verdict = compileDataFilters([{ path: 'body.nope', type: 'string', value: ['x'] }])(event);
    expect(verdict).toEqual({
      pass: false,
      reason: 'filters.data[0] (body.nope): path does not exist in the event',
    });
  });

  it('combines filters with and (default) or or', () => {
    const filters: DataFilter[] = [
      { path: 'body.nope', type: 'string', value: ['x'] },
      { path: 'body.n', type: 'number', value: ['7'] },
    ];
    expect(pass(filters)).toBe(false);
    expect(pass(filters, 'or')).toBe(true);
  });

  it('rejects invalid patterns and numbers when the sensor starts, not at the first event', () => {
    expect(() => compileDataFilters([{ path: 'a', type: 'string', value: ['(unclosed'] }])).toThrow(
      /value\[0\]: "\(unclosed" is not a valid RE2 pattern/,
    );
    expect(() => compileDataFilters([{ path: 'a', type: 'number', value: ['ten'] }])).toThrow(
      /value\[0\]: "ten" is not a number/,
    );
    expect(() => compileDataFilters([{ path: 'a', type: 'bool', value: ['yes'] }])).toThrow(
      /"yes" is not a boolean/,
    );
  });

  it('answers quickly on a pattern that would backtrack forever elsewhere', () => {
    const data = { s: `${'a'.repeat(5000)}!` };
    expect(pass([{ path: 's', type: 'string', value: ['^(a+)+$'] }], 'and', data)).toBe(false);
  });
});
