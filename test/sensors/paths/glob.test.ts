import { describe, expect, it } from 'vitest';
import { compileGlob, globMatch } from '../../../sensors/paths/glob.ts';

const match = (pattern: string, input: string) => globMatch(compileGlob(pattern), input);

describe('gjson wildcard patterns', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['', '', true],
    ['', 'a', false],
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['a*', 'a', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbd', false],
    ['*b*', 'abc', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a??', 'a😀b', true],
    ['a?', 'a😀', true],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['a\\?', 'a?', true],
    ['a\\\\', 'a\\', true],
    ['a\\', 'a', false],
    ['a\\', 'a\\', false],
    ['**a', 'xa', true],
    ['*a*a*a', 'aaa', true],
    ['日*', '日本語', true],
  ])('%j matches %j: %s', (pattern, input, expected) => {
    expect(match(pattern, input)).toBe(expected);
  });

  // A recursive matcher needs exponential time here; a hang would show as the test timing out.
  it('finishes on patterns that make backtracking matchers explode', () => {
    const input = `${'a'.repeat(5000)}b`;
    expect(match('*a*a*a*a*a*a*a*a*c', input)).toBe(false);
    expect(match(`${'a*'.repeat(20)}b`, input)).toBe(true);
  });
});
