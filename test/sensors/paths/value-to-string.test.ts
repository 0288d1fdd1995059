import { describe, expect, it } from 'vitest';
import { getPath, valueToString } from '../../../sensors/paths/index.ts';

// What gjson's Result.String() gives, which Argo Events' data filters compare against.
describe('valueToString', () => {
  it.each([
    ['a string, raw', 'refs/heads/main', 'refs/heads/main'],
    ['an empty string', '', ''],
    ['an integer', 37, '37'],
    ['a negative integer', -12, '-12'],
    ['a fraction', 0.5, '0.5'],
    ['a large number, without exponent', 1e21, '1000000000000000000000'],
    ['a large fraction, without exponent', 1.5e22, '15000000000000000000000'],
    ['a tiny number, without exponent', 1.5e-7, '0.00000015'],
    ['negative zero', -0, '-0'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['null', null, ''],
    ['nothing', undefined, ''],
    ['an array, as compact JSON', ['a', 1, null], '["a",1,null]'],
    ['an object, as compact JSON', { a: { b: [true] } }, '{"a":{"b":[true]}}'],
    ['a string with quotes inside an object', { q: 'say "hi"' }, '{"q":"say \\"hi\\""}'],
  ])('%s', (_what, value, expected) => {
    expect(valueToString(value)).toBe(expected);
  });

  it('renders what a path found', () => {
    const doc = { n: 3, list: [1, 2], nums: ['1', '2'] };
    expect(valueToString(getPath(doc, 'n').value)).toBe('3');
    expect(valueToString(getPath(doc, 'list').value)).toBe('[1,2]');
    expect(valueToString(getPath(doc, 'nums.#').value)).toBe('2');
  });
});

describe('PathResult.raw', () => {
  it('is the JSON text of the value, worked out on demand', () => {
    expect(getPath({ s: 'x' }, 's').raw).toBe('"x"');
    expect(getPath({ o: { a: 1 } }, 'o').raw).toBe('{"a":1}');
    expect(getPath({ n: null }, 'n').raw).toBe('null');
  });

  it('is not enumerable, so results compare as { exists, value }', () => {
    expect(getPath({ n: 1 }, 'n')).toEqual({ exists: true, value: 1 });
    expect(Object.keys(getPath({ n: 1 }, 'n'))).toEqual(['exists', 'value']);
  });

  it('is absent when nothing was found', () => {
    expect(getPath({}, 'x').raw).toBeUndefined();
  });
});
