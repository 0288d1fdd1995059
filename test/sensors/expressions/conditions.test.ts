import { describe, expect, it } from 'vitest';
import { type ImpulseError, isImpulseError } from '../../../core/errors.ts';
import { compileCondition } from '../../../sensors/expressions/index.ts';

function compileError(expr: string, names: string[]): ImpulseError {
  try {
    compileCondition(expr, names);
  } catch (err) {
    if (isImpulseError(err)) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(expr)} not to compile`);
}

const present = (...names: string[]) => new Set(names);

describe('trigger conditions', () => {
  // From Argo Events' dependencies-conditions example.
  const names = ['dep01', 'dep02', 'dep03', 'dep04'];

  it('combine dependencies with && and ||', () => {
    const condition = compileCondition('(dep01 || dep02) && dep04', names);
    expect(condition.dependencies).toEqual(['dep01', 'dep02', 'dep04']);
    expect(condition.evaluate(present('dep01'))).toBe(false);
    expect(condition.evaluate(present('dep01', 'dep04'))).toBe(true);
    expect(condition.evaluate(present('dep02', 'dep04'))).toBe(true);
    expect(condition.evaluate(present('dep03', 'dep04'))).toBe(false);
    expect(condition.evaluate(present())).toBe(false);
  });

  it('take a single name', () => {
    const condition = compileCondition('test-dep', ['test-dep']);
    expect(condition.evaluate(present('test-dep'))).toBe(true);
    expect(condition.evaluate(present())).toBe(false);
  });

  it('read - inside names as part of the name', () => {
    const condition = compileCondition('dep-1 && (dep-2 || !dep-3)', ['dep-1', 'dep-2', 'dep-3']);
    expect(condition.dependencies).toEqual(['dep-1', 'dep-2', 'dep-3']);
    expect(condition.evaluate(present('dep-1'))).toBe(true);
    expect(condition.evaluate(present('dep-1', 'dep-3'))).toBe(false);
    expect(condition.evaluate(present('dep-1', 'dep-2', 'dep-3'))).toBe(true);
  });

  it('read names with dots and underscores', () => {
    const condition = compileCondition('a.b||c_d', ['a.b', 'c_d']);
    expect(condition.evaluate(present('c_d'))).toBe(true);
  });

  it('need no spaces around operators', () => {
    expect(compileCondition('dep01&&!dep02', names).evaluate(present('dep01'))).toBe(true);
  });

  it('refuse an unknown name, naming it and the known ones', () => {
    const err = compileError('dep01 && dep-09', names);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain('unknown dependency "dep-09"');
    expect(err.message).toContain('"dep01", "dep02", "dep03", "dep04"');
  });

  it('refuse a misspelling that an unescaped - would have split', () => {
    expect(compileError('dep-1', ['dep']).message).toContain('unknown dependency "dep-1"');
  });

  it.each([
    ['dep01 == true', 'the operator "=="'],
    ['dep01 + dep02', 'the operator "+"'],
    ['true', 'the value true'],
    ['dep01 ? dep02 : dep03', 'a "?:" conditional'],
    ['dep01 in (dep02)', 'the operator "in"'],
  ])('refuse anything but names, &&, || and !: %s', (expr, found) => {
    const err = compileError(expr, names);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain(`found ${found}`);
  });

  it('refuse syntax errors and empty conditions', () => {
    expect(compileError('dep01 &&', names).message).toContain('at character');
    expect(compileError('', names).message).toContain('the expression is empty');
    expect(compileError('(dep01 || dep02', names).message).toContain('Unclosed (');
  });

  it('refuse prototype names even when listed', () => {
    expect(compileError('constructor', ['constructor']).message).toContain('is not allowed');
  });
});
