import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { compileExpression } from '../../../sensors/expressions/index.ts';

const run = (source: string, vars: Record<string, unknown> = {}) => compileExpression(source).evaluate(vars);

describe('== and !=', () => {
  it.each([
    ['1 == 1', true],
    ['1 == 1.0', true],
    ['1 != 2', true],
    ['"a" == "a"', true],
    ['"a" == "A"', false],
    ['true == true', true],
    ['true != false', true],
  ])('%s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('are type-aware: a number never equals a string', () => {
    expect(run('1 == "1"')).toBe(false);
    expect(run('1 != "1"')).toBe(true);
    expect(run('n == "2"', { n: 2 })).toBe(false);
    expect(run('s == 2', { s: '2' })).toBe(false);
    expect(run('b == "true"', { b: true })).toBe(false);
  });

  it('compare null, lists and objects deeply', () => {
    expect(run('a == b', { a: null, b: null })).toBe(true);
    expect(run('a == b', { a: null, b: 0 })).toBe(false);
    expect(run('a == b', { a: [1, { x: 'y' }], b: [1, { x: 'y' }] })).toBe(true);
    expect(run('a == b', { a: [1, 2], b: [2, 1] })).toBe(false);
    expect(run('a == b', { a: { x: 1, y: 2 }, b: { y: 2, x: 1 } })).toBe(true);
    expect(run('a == b', { a: { x: 1 }, b: { x: 1, y: 2 } })).toBe(false);
    expect(run('a == b', { a: [], b: {} })).toBe(false);
  });

  it('never find NaN equal to itself', () => {
    expect(run('a == a', { a: Number.NaN })).toBe(false);
  });
});

describe('<, <=, >, >=', () => {
  it.each([
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 2.5', true],
    ['-1 >= 0', false],
    ['"abc" < "abd"', true],
    ['"b" > "abc"', true],
    ['"Z" < "a"', true],
    ['"" < "a"', true],
    ['"a" >= "a"', true],
  ])('%s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('compare strings by code point, as Go compares UTF-8 bytes', () => {
    expect(run('a > b', { a: '😀', b: '～' })).toBe(true);
  });

  it('compare numbers that came from JSON', () => {
    expect(run('b < 1', { b: 2 })).toBe(false);
    expect(run('size >= 1024 && size < 4096', { size: 2048 })).toBe(true);
  });

  it('refuse a string against a number, with both values in the message', () => {
    expect(() => run('"a" > 1')).toThrow(
      /">" compares two numbers or two strings, got string "a" and number 1/,
    );
    try {
      run('n < limit', { n: '5', limit: 10 });
    } catch (err) {
      expect(isImpulseError(err, 'INVALID_INPUT')).toBe(true);
      expect((err as Error).message).toContain('got string "5" and number 10');
    }
  });

  it('refuse bools, null, lists and objects', () => {
    expect(() => run('true < false')).toThrow(/compares two numbers or two strings/);
    expect(() => run('a <= 1', { a: null })).toThrow(/got null and number 1/);
    expect(() => run('a > b', { a: [1], b: [0] })).toThrow(/got list \[1\]/);
  });

  it('are false for NaN', () => {
    expect(run('a < 1 || a >= 1', { a: Number.NaN })).toBe(false);
  });

  it('group from the left at the same level, as govaluate does', () => {
    expect(run('1 < 2 == true')).toBe(true);
    expect(() => run('true == 1 < 2')).toThrow(/compares two numbers or two strings, got bool false/);
  });
});
