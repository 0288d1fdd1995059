import { describe, expect, it } from 'vitest';
import { getPath } from '../../../sensors/paths/index.ts';

// The examples of gjson's SYNTAX.md (github.com/tidwall/gjson), written out as a table: the
// document, each path, and what gjson answers. `undefined` means "does not exist".
const doc = {
  name: { first: 'Tom', last: 'Anderson' },
  age: 37,
  children: ['Sara', 'Alex', 'Jack'],
  'fav.movie': 'Deer Hunter',
  friends: [
    { first: 'Dale', last: 'Murphy', age: 44, nets: ['ig', 'fb', 'tw'] },
    { first: 'Roger', last: 'Craig', age: 68, nets: ['fb', 'tw'] },
    { first: 'Jane', last: 'Murphy', age: 47, nets: ['ig', 'tw'] },
  ],
};
const [dale, roger, jane] = doc.friends;

const table: [section: string, path: string, expected: unknown][] = [
  ['basic', 'name.last', 'Anderson'],
  ['basic', 'name.first', 'Tom'],
  ['basic', 'age', 37],
  ['basic', 'children', ['Sara', 'Alex', 'Jack']],
  ['basic', 'children.0', 'Sara'],
  ['basic', 'children.1', 'Alex'],
  ['basic', 'friends.1', roger],
  ['basic', 'friends.1.first', 'Roger'],
  ['wildcards', 'child*.2', 'Jack'],
  ['wildcards', 'c?ildren.0', 'Sara'],
  ['escape', 'fav\\.movie', 'Deer Hunter'],
  ['arrays', 'friends.#', 3],
  ['arrays', 'friends.#.age', [44, 68, 47]],
  ['queries', 'friends.#(last=="Murphy").first', 'Dale'],
  ['queries', 'friends.#(last=="Murphy")#.first', ['Dale', 'Jane']],
  ['queries', 'friends.#(age>45)#.last', ['Craig', 'Murphy']],
  ['queries', 'friends.#(first%"D*").last', 'Murphy'],
  ['queries', 'friends.#(first!%"D*").last', 'Craig'],
  ['queries', 'children.#(!%"*a*")', 'Alex'],
  ['queries', 'children.#(%"*a*")#', ['Sara', 'Jack']],
  ['queries', 'friends.#(nets.#(=="fb"))#.first', ['Dale', 'Roger']],
  ['dot vs pipe', 'friends.0.first', 'Dale'],
  ['dot vs pipe', 'friends|0.first', 'Dale'],
  ['dot vs pipe', 'friends.0|first', 'Dale'],
  ['dot vs pipe', 'friends|0|first', 'Dale'],
  ['dot vs pipe', 'friends|#', 3],
  ['dot vs pipe', 'friends.#', 3],
  ['dot vs pipe', 'friends.#(last="Murphy")#', [dale, jane]],
  ['dot vs pipe', 'friends.#(last="Murphy")#.first', ['Dale', 'Jane']],
  ['dot vs pipe', 'friends.#(last="Murphy")#|first', undefined],
  ['dot vs pipe', 'friends.#(last="Murphy")#.0', []],
  ['dot vs pipe', 'friends.#(last="Murphy")#|0', dale],
  ['dot vs pipe', 'friends.#(last="Murphy")#.#', []],
  ['dot vs pipe', 'friends.#(last="Murphy")#|#', 2],
  ['modifiers', 'children.@reverse', ['Jack', 'Alex', 'Sara']],
  ['modifiers', 'children.@reverse.0', 'Jack'],
  [
    'multipaths',
    '{name.first,age,"the_murphys":friends.#(last="Murphy")#.first}',
    { first: 'Tom', age: 37, the_murphys: ['Dale', 'Jane'] },
  ],
  [
    'literals',
    '{name.first,age,"company":!"Happysoft","employed":!true}',
    { first: 'Tom', age: 37, company: 'Happysoft', employed: true },
  ],
];

describe('gjson SYNTAX.md examples', () => {
  it.each(table)('%s: %s', (_section, path, expected) => {
    const result = getPath(doc, path);
    if (expected === undefined) {
      expect(result.exists).toBe(false);
    } else {
      expect(result.exists).toBe(true);
      expect(result.value).toEqual(expected);
    }
  });
});

// The `~` (tilde) queries of SYNTAX.md, with their own document.
const vals = {
  vals: [
    { a: 1, b: 'data' },
    { a: 2, b: true },
    { a: 3, b: false },
    { a: 4, b: '0' },
    { a: 5, b: 0 },
    { a: 6, b: '1' },
    { a: 7, b: 1 },
    { a: 8, b: 'true' },
    { a: 9, b: false },
    { a: 10, b: null },
    { a: 11 },
  ],
};

describe('gjson SYNTAX.md tilde queries', () => {
  it.each([
    ['vals.#(b==~true)#.a', [2, 6, 7, 8]],
    ['vals.#(b==~false)#.a', [3, 4, 5, 9, 10, 11]],
    ['vals.#(b==~null)#.a', [10, 11]],
    ['vals.#(b==~*)#.a', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['vals.#(b!=~*)#.a', [11]],
  ])('%s', (path, expected) => {
    expect(getPath(vals, path)).toMatchObject({ exists: true, value: expected });
  });

  it('treats an unknown tilde value as matching nothing', () => {
    expect(getPath(vals, 'vals.#(b==~maybe)#.a').value).toEqual([]);
  });
});
