import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { compileExpression } from '../../../sensors/expressions/index.ts';

describe('variable names', () => {
  it('may hold any character inside [brackets]', () => {
    const expr = compileExpression('[response-time] < 100 && [a b.c] == "x"');
    expect(expr.variables).toEqual(['response-time', 'a b.c']);
    expect(expr.evaluate({ 'response-time': 50, 'a b.c': 'x' })).toBe(true);
    expect(compileExpression('[a\\]b] == 1').variables).toEqual(['a]b']);
  });

  it('may escape single characters with a backslash', () => {
    const expr = compileExpression('response\\-time < 100');
    expect(expr.variables).toEqual(['response-time']);
    expect(expr.evaluate({ 'response-time': 150 })).toBe(false);
  });

  it('subtract when the minus is not escaped', () => {
    expect(compileExpression('response-time').evaluate({ response: 10, time: 3 })).toBe(7);
  });

  it('may contain dots, read as one exact name', () => {
    const expr = compileExpression('body.ref == "main"');
    expect(expr.variables).toEqual(['body.ref']);
    expect(expr.evaluate({ 'body.ref': 'main' })).toBe(true);
    expect(() => expr.evaluate({ body: { ref: 'main' } })).toThrow(/no variable named "body.ref"/);
  });

  it('may walk own properties when asked to', () => {
    const expr = compileExpression('body.ref == "main" && body.commits.0.id == "a"', { nestedLookup: true });
    expect(expr.evaluate({ body: { ref: 'main', commits: [{ id: 'a' }] } })).toBe(true);
    expect(expr.evaluate({ 'body.ref': 'main', body: { commits: [{ id: 'a' }] } })).toBe(true);
    expect(() => expr.evaluate({ body: {} })).toThrow(/no variable named "body.ref"/);
    expect(() => compileExpression('a.length', { nestedLookup: true }).evaluate({ a: 'xyz' })).toThrow(
      /no variable/,
    );
  });

  it('may use unicode letters and digits', () => {
    expect(compileExpression('größe > 1 && x2 == 3').evaluate({ größe: 2, x2: 3 })).toBe(true);
  });

  it('take - as part of the name with dashInNames, as Argo Events conditions do', () => {
    const expr = compileExpression('dep-1 && !dep-2', { dashInNames: true });
    expect(expr.variables).toEqual(['dep-1', 'dep-2']);
    expect(compileExpression('a - b', { dashInNames: true }).evaluate({ a: 3, b: 1 })).toBe(2);
  });

  it('refuse names that lead to a prototype, at compile time', () => {
    for (const source of ['__proto__', 'constructor == 1', 'a.prototype', '[__proto__]', 'x.__proto__.y']) {
      try {
        compileExpression(source);
        expect.unreachable(`${source} compiled`);
      } catch (err) {
        expect(isImpulseError(err, 'INVALID_MANIFEST')).toBe(true);
        expect((err as Error).message).toMatch(/is not allowed/);
      }
    }
  });

  it('leave names such as this and IN-like words alone', () => {
    expect(compileExpression('this == 1').evaluate({ this: 1 })).toBe(true);
    expect(compileExpression('index == 1').evaluate({ index: 1 })).toBe(true);
    expect(compileExpression('In == 1').evaluate({ In: 1 })).toBe(true);
  });
});
