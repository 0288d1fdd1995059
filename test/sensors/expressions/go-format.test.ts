import { describe, expect, it } from 'vitest';
import { formatGoValue } from '../../../sensors/expressions/index.ts';

// Go's fmt %v, which govaluate uses when `+` joins a string with something else.
describe('formatGoValue', () => {
  it.each([
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [-12, '-12'],
    [2.5, '2.5'],
    [123456, '123456'],
    [999999, '999999'],
    [1000000, '1e+06'],
    [1234567, '1.234567e+06'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-0.000012, '-1.2e-05'],
    [0.1 + 0.2, '0.30000000000000004'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
  ])('%d', (value, expected) => {
    expect(formatGoValue(value)).toBe(expected);
  });

  it.each([
    ['text', 'text'],
    [true, 'true'],
    [false, 'false'],
    [null, '<nil>'],
    [[1, 'a', [true]], '[1 a [true]]'],
    [{ b: 1, a: 'x' }, 'map[a:x b:1]'],
    [{ n: { m: null } }, 'map[n:map[m:<nil>]]'],
  ])('%j', (value, expected) => {
    expect(formatGoValue(value)).toBe(expected);
  });
});
