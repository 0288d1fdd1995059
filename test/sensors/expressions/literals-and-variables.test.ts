import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { compileExpression } from '../../../sensors/expressions/index.ts';

const run = (source: string, vars: Record<string, unknown> = {}) => compileExpression(source).evaluate(vars);

describe('literals', () => {
  it.each([
    ['42', 42],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['0x1F', 31],
    ['0xff', 255],
    ['"double"', 'double'],
    ["'single'", 'single'],
    ['""', ''],
    ['true', true],
    ['false', false],
  ])('%s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('read a backslash as "take the next character as it is", as govaluate does', () => {
    expect(run('"say \\"hi\\""')).toBe('say "hi"');
    expect(run("'it\\'s'")).toBe("it's");
    expect(run('"a\\\\b"')).toBe('a\\b');
    expect(run('"\\n"')).toBe('n');
    expect(run('"\\d+"')).toBe('d+');
  });

  it('keep the other quote inside a string', () => {
    expect(run(`"it's"`)).toBe("it's");
    expect(run(`'say "hi"'`)).toBe('say "hi"');
  });

  it('keep unicode in strings', () => {
    expect(run('"día 日本 😀"')).toBe('día 日本 😀');
  });

  it('have no null literal: null is a variable name, as in govaluate', () => {
    expect(compileExpression('x == null').variables).toEqual(['x', 'null']);
    expect(run('x == null', { x: null, null: null })).toBe(true);
  });
});

describe('variables', () => {
  it('are read from the map by exact name', () => {
    expect(run('a', { a: 'b' })).toBe('b');
    expect(run('count', { count: 3 })).toBe(3);
    expect(run('flag', { flag: false })).toBe(false);
    expect(run('obj', { obj: { x: [1] } })).toEqual({ x: [1] });
  });

  it('treat a null value (a JSON null) as present', () => {
    expect(run('v', { v: null })).toBeNull();
    expect(run('v', { v: undefined })).toBeNull();
  });

  it('are listed once each, in order of appearance', () => {
    expect(compileExpression('b > 1 && a == "x" || b < 0 && [c d] == a').variables).toEqual([
      'b',
      'a',
      'c d',
    ]);
  });

  it('fail clearly when one is missing', () => {
    const expr = compileExpression('a == "b" && c == 1');
    expect(() => expr.evaluate({ a: 'b' })).toThrow(/no variable named "c"/);
    try {
      expr.evaluate({ a: 'b' });
    } catch (err) {
      expect(isImpulseError(err, 'INVALID_INPUT')).toBe(true);
    }
  });

  it('are not read from the prototype', () => {
    const expr = compileExpression('toString == 1');
    expect(() => expr.evaluate({})).toThrow(/no variable named "toString"/);
    expect(() => compileExpression('valueOf').evaluate(Object.create({ valueOf: 1 }))).toThrow(/no variable/);
  });

  it('work with a map that has no prototype', () => {
    const vars = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(run('a + 1', vars)).toBe(2);
  });

  it('are only read when evaluation reaches them', () => {
    expect(run('true || missing')).toBe(true);
    expect(run('false && missing')).toBe(false);
    expect(run('true ? 1 : missing')).toBe(1);
  });
});

describe('the compiled expression', () => {
  it('can be evaluated many times with different variables', () => {
    const expr = compileExpression('n % 3 == 0 ? "fizz" : n');
    const out: unknown[] = [];
    for (let n = 1; n <= 10_000; n++) out.push(expr.evaluate({ n }));
    expect(out.slice(0, 6)).toEqual([1, 2, 'fizz', 4, 5, 'fizz']);
    expect(out.filter((v) => v === 'fizz')).toHaveLength(3333);
  });

  it('keeps its source', () => {
    expect(compileExpression('a > 1').source).toBe('a > 1');
  });
});
