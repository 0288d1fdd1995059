import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../sensors/expressions/index.ts';

const run = (source: string, vars: Record<string, unknown> = {}) => compileExpression(source).evaluate(vars);

describe('arithmetic', () => {
  it.each([
    ['1 + 2', 3],
    ['5 - 7', -2],
    ['3 * 4', 12],
    ['10 / 4', 2.5],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['7.5 % 2', 1.5],
    ['2 ** 10', 1024],
    ['-x', -3],
    ['- -x', 3],
    ['1 / 0', Number.POSITIVE_INFINITY],
    ['(mem_used / total_mem) * 100', 50],
    ['(requests_made * requests_succeeded / 100) >= 90', false],
  ])('%s', (source, expected) => {
    expect(
      run(source, { x: 3, mem_used: 512, total_mem: 1024, requests_made: 100, requests_succeeded: 80 }),
    ).toBe(expected);
  });

  it('gives NaN for a remainder by zero, like Go math.Mod', () => {
    expect(run('5 % 0')).toBeNaN();
  });

  it('follows govaluate precedence', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('10 - 2 - 3')).toBe(5);
    expect(run('24 / 4 / 2')).toBe(3);
    expect(run('2 * 3 ** 2')).toBe(18);
    // govaluate groups ** from the left like the other operators.
    expect(run('2 ** 3 ** 2')).toBe(64);
    expect(run('1 + 2 > 2')).toBe(true);
  });

  it('wants numbers', () => {
    expect(() => run('"a" - 1')).toThrow(/"-" needs numbers, got string "a"/);
    expect(() => run('x * 2', { x: '2' })).toThrow(/"\*" needs numbers, got string "2"/);
    expect(() => run('-s', { s: 'x' })).toThrow(/"-" needs numbers/);
    expect(() => run('true + 1')).toThrow(
      /"\+" needs two numbers, or a string on one side, got bool true and number 1/,
    );
    expect(() => run('a + b', { a: null, b: [1] })).toThrow(/"\+" needs two numbers/);
  });
});

describe('+ on strings', () => {
  it('joins strings', () => {
    expect(run('"refs/heads/" + branch', { branch: 'main' })).toBe('refs/heads/main');
    expect(run("'a' + 'b' + 'c'")).toBe('abc');
  });

  it('formats the other side as Go %v does', () => {
    expect(run('"n=" + 3')).toBe('n=3');
    expect(run('"n=" + 2.5')).toBe('n=2.5');
    expect(run('"id-" + 1000000')).toBe('id-1e+06');
    expect(run('"id-" + 123456')).toBe('id-123456');
    expect(run('0.00001 + "x"')).toBe('1e-05x');
    expect(run('"b=" + true')).toBe('b=true');
    expect(run('"v=" + v', { v: null })).toBe('v=<nil>');
    expect(run('"l=" + l', { l: [1, 'a'] })).toBe('l=[1 a]');
    expect(run('"m=" + m', { m: { b: 2, a: 1 } })).toBe('m=map[a:1 b:2]');
  });

  it('adds numbers before joining when they come first', () => {
    expect(run('1 + 2 + "x"')).toBe('3x');
    expect(run('"x" + 1 + 2')).toBe('x12');
  });
});

describe('bitwise operators', () => {
  it.each([
    ['6 & 3', 2],
    ['6 | 3', 7],
    ['6 ^ 3', 5],
    ['1 << 4', 16],
    ['256 >> 4', 16],
    ['~5', -6],
    ['~0', -1],
    ['7.9 & 3', 3],
    ['1 << 64', 0],
    ['-1 & 255', 255],
  ])('%s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('bind more tightly than comparisons, unlike JavaScript', () => {
    expect(run('5 & 1 == 1')).toBe(true);
    expect(run('flags & 4 != 0', { flags: 6 })).toBe(true);
  });

  it('want numbers', () => {
    expect(() => run('"a" | 1')).toThrow(/"\|" needs numbers/);
    expect(() => run('~true')).toThrow(/"~" needs numbers/);
  });
});
