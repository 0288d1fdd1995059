import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../sensors/expressions/index.ts';

const run = (source: string, vars: Record<string, unknown> = {}) => compileExpression(source).evaluate(vars);

describe('&&, || and !', () => {
  it.each([
    ['true && true', true],
    ['true && false', false],
    ['false || true', true],
    ['false || false', false],
    ['!true', false],
    ['!!true', true],
    ['!(1 > 2)', true],
    ['true || false && false', true],
    ['(true || false) && false', false],
  ])('%s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('combine comparisons the way Argo Events examples do', () => {
    expect(run('a == "b" || c == 10', { a: 'b', c: 1 })).toBe(true);
    expect(run('a == "b" || c == 10', { a: 'x', c: 10 })).toBe(true);
    expect(run('a == "b" || c != 10', { a: 'x', c: 10 })).toBe(false);
    expect(run('b != "b" && d == true', { b: 'x', d: true })).toBe(true);
    expect(run('b == "b" || (d == true && e == 2)', { b: 'x', d: true, e: 2 })).toBe(true);
    expect(run('e == false', { e: false })).toBe(true);
  });

  it('short-circuit, so the right side is not checked', () => {
    expect(run('false && "not a bool"')).toBe(false);
    expect(run('true || 1')).toBe(true);
  });

  it('want bools on both sides', () => {
    expect(() => run('1 && true')).toThrow(/"&&" needs true or false on its left, got number 1/);
    expect(() => run('true && "yes"')).toThrow(/"&&" needs true or false on its right, got string "yes"/);
    expect(() => run('false || x', { x: null })).toThrow(/"\|\|" needs true or false on its right, got null/);
    expect(() => run('!s', { s: 'true' })).toThrow(/"!" needs true or false/);
  });
});

describe('?: and ??', () => {
  it('choose a branch by a bool', () => {
    expect(run('n > 1 ? "many" : "one"', { n: 2 })).toBe('many');
    expect(run('n > 1 ? "many" : "one"', { n: 1 })).toBe('one');
    expect(run('a ? b ? 1 : 2 : 3', { a: true, b: false })).toBe(2);
  });

  it('bind more loosely than ||', () => {
    expect(run('false || true ? "y" : "n"')).toBe('y');
  });

  it('want a bool to choose by', () => {
    expect(() => run('1 ? 2 : 3')).toThrow(/"\?" needs true or false on its left, got number 1/);
  });

  it('?? gives the right side when the left is null', () => {
    expect(run('v ?? "default"', { v: null })).toBe('default');
    expect(run('v ?? "default"', { v: '' })).toBe('');
    expect(run('v ?? "default"', { v: false })).toBe(false);
  });
});
