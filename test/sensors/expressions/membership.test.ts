import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../sensors/expressions/index.ts';

const run = (source: string, vars: Record<string, unknown> = {}) => compileExpression(source).evaluate(vars);

describe('in', () => {
  it('looks for the left value in a written list', () => {
    expect(run('action in ("opened", "edited", "reopened")', { action: 'edited' })).toBe(true);
    expect(run('action in ("opened", "edited")', { action: 'closed' })).toBe(false);
    expect(run('n in (1, 2, 3)', { n: 3 })).toBe(true);
  });

  it('accepts IN in capitals, as govaluate does', () => {
    expect(run('x IN ("a", "b")', { x: 'b' })).toBe(true);
  });

  it('accepts a list of one', () => {
    expect(run('x in ("a")', { x: 'a' })).toBe(true);
    expect(run('x in (1)', { x: 2 })).toBe(false);
    expect(run('x in (-1)', { x: -1 })).toBe(true);
  });

  it('compares with type-aware equality', () => {
    expect(run('n in ("1", "2")', { n: 1 })).toBe(false);
    expect(run('x in (true, 1)', { x: true })).toBe(true);
    expect(run('x in (1, "a", false)', { x: null })).toBe(false);
  });

  it('takes expressions in the list', () => {
    expect(run('x in (a, b + 1, "c" + "d")', { x: 'cd', a: 0, b: 1 })).toBe(true);
    expect(run('x in (a, b + 1)', { x: 2, a: 0, b: 1 })).toBe(true);
  });

  it('reads a list from a variable (a JSON array)', () => {
    expect(run('"bug" in labels', { labels: ['bug', 'p1'] })).toBe(true);
    expect(run('"doc" in labels', { labels: ['bug', 'p1'] })).toBe(false);
    expect(run('item in items', { item: { id: 1 }, items: [{ id: 2 }, { id: 1 }] })).toBe(true);
  });

  it('wants a list on its right', () => {
    expect(() => run('x in y', { x: 'a', y: 'abc' })).toThrow(
      /"in" needs a list on its right, got string "abc"/,
    );
    expect(() => run('x in y', { x: 'a', y: { a: 1 } })).toThrow(/"in" needs a list/);
  });

  it('binds like a comparison', () => {
    expect(run('x in ("a") && y in ("b")', { x: 'a', y: 'b' })).toBe(true);
    expect(run('!(x in ("a"))', { x: 'a' })).toBe(false);
  });
});
