import { describe, expect, it } from 'vitest';
import { type ImpulseError, isImpulseError } from '../../../core/errors.ts';
import { compileExpression } from '../../../sensors/expressions/index.ts';

const run = (source: string, vars: Record<string, unknown> = {}) => compileExpression(source).evaluate(vars);

function thrown(fn: () => unknown): ImpulseError {
  try {
    fn();
  } catch (err) {
    if (isImpulseError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('=~ and !~', () => {
  it('match anywhere in the string unless anchored', () => {
    expect(run('b =~ "start"', { b: 'start long string' })).toBe(true);
    expect(run('b =~ "long"', { b: 'start long string' })).toBe(true);
    expect(run('b =~ "^long"', { b: 'start long string' })).toBe(false);
    expect(run('b !~ "start"', { b: 'long string' })).toBe(true);
    expect(run('ref =~ "^refs/tags/v[0-9]+\\\\.[0-9]+$"', { ref: 'refs/tags/v1.2' })).toBe(true);
  });

  it('use RE2 syntax, with inline flags such as (?i)', () => {
    expect(run('x =~ "(?i)^MAIN$"', { x: 'main' })).toBe(true);
    expect(run('x =~ "^MAIN$"', { x: 'main' })).toBe(false);
    expect(run('x =~ "\\\\pL+"', { x: 'día' })).toBe(true);
    expect(run('x =~ "(?s)a.b"', { x: 'a\nb' })).toBe(true);
  });

  it('compile a pattern that comes from a variable when it is used', () => {
    const expr = compileExpression('x =~ pattern');
    expect(expr.evaluate({ x: 'release-1', pattern: '^release-' })).toBe(true);
    expect(expr.evaluate({ x: 'main', pattern: '^release-' })).toBe(false);
    expect(expr.evaluate({ x: 'main', pattern: 'ma' })).toBe(true);
  });

  it('refuse an invalid literal pattern when compiling', () => {
    const err = thrown(() => compileExpression('x =~ "(unclosed"'));
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain('invalid regular expression "(unclosed"');
  });

  it('refuse Perl features that RE2 leaves out', () => {
    expect(() => compileExpression('x =~ "(?=look)"')).toThrow(/invalid regular expression/);
    expect(() => compileExpression('x =~ "(a)\\\\1"')).toThrow(/invalid regular expression/);
  });

  it('report an invalid pattern from a variable as bad input', () => {
    const err = thrown(() => run('x =~ p', { x: 'a', p: '[' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('invalid regular expression "["');
  });

  it('want a string on the left and a pattern string on the right', () => {
    expect(() => run('n =~ "1"', { n: 1 })).toThrow(/"=~" needs a string on its left, got number 1/);
    expect(() => run('x !~ p', { x: 'a', p: 1 })).toThrow(
      /"!~" needs a pattern string on its right, got number 1/,
    );
  });

  // A backtracking engine takes exponential time on this input and would never finish; RE2 is
  // linear, so the test completes well inside the test timeout.
  it('cannot be made to hang by a catastrophic pattern', () => {
    const input = `${'a'.repeat(50_000)}!`;
    expect(run('x =~ "(a+)+$"', { x: input })).toBe(false);
    expect(run('x =~ "^(a|aa)*$"', { x: input })).toBe(false);
    expect(run('x =~ "(a*)*b"', { x: input })).toBe(false);
    expect(run('x =~ p', { x: input, p: '(x+x+)+y' })).toBe(false);
  });
});
