import { describe, expect, it } from 'vitest';
import { getPath } from '../../../sensors/paths/index.ts';

const push = {
  body: {
    ref: 'refs/heads/main',
    commits: [
      { id: 'a1', author: { name: 'ann' }, added: ['x.go'], modified: [] },
      { id: 'b2', author: { name: 'bob' }, added: [], modified: ['y.go', 'z.go'] },
      { id: 'c3', author: {}, added: [], modified: [] },
    ],
    labels: [],
  },
};
const value = (path: string, data: unknown = push) => getPath(data, path).value;

describe('# (length)', () => {
  it('counts array elements', () => {
    expect(value('body.commits.#')).toBe(3);
    expect(getPath(push, 'body.labels.#')).toMatchObject({ exists: true, value: 0 });
  });

  it('is a plain key on objects and nothing on scalars', () => {
    expect(value('o.#', { o: { '#': 'hash' } })).toBe('hash');
    expect(getPath({ o: { a: 1 } }, 'o.#').exists).toBe(false);
    expect(getPath({ s: 'abc' }, 's.#').exists).toBe(false);
  });
});

describe('#.path (projection)', () => {
  it('collects the rest of the path from each element', () => {
    expect(value('body.commits.#.id')).toEqual(['a1', 'b2', 'c3']);
    expect(value('body.commits.#.author.name')).toEqual(['ann', 'bob']);
  });

  it('nests', () => {
    expect(value('body.commits.#.modified.#')).toEqual([0, 2, 0]);
    expect(value('m.#.#.v', { m: [[{ v: 1 }, { v: 2 }], [{ v: 3 }]] })).toEqual([[1, 2], [3]]);
  });

  it('gives an empty array on an empty array, and keeps nulls', () => {
    expect(getPath(push, 'body.labels.#.name')).toMatchObject({ exists: true, value: [] });
    expect(value('a.#.v', { a: [{ v: null }, {}, { v: 0 }] })).toEqual([null, 0]);
  });

  it('applies a query or multipath per element', () => {
    expect(value('body.commits.#.modified.#(%"y*")')).toEqual(['y.go']);
    expect(value('body.commits.#.{id,"who":author.name}')).toEqual([
      { id: 'a1', who: 'ann' },
      { id: 'b2', who: 'bob' },
      { id: 'c3' },
    ]);
    expect(value('#.[0,3]', [{ a: 1 }, true, ['a', 'b', 'c', 'd'], 4])).toEqual([[], [], ['a', 'd'], []]);
  });

  it('is a key lookup of "#" on an object', () => {
    expect(value('o.#.x', { o: { '#': { x: 5 } } })).toBe(5);
  });
});

describe('| (pipe)', () => {
  it('works like a dot between plain keys', () => {
    expect(value('body|commits|0|id')).toBe('a1');
    expect(value('body.commits|1.id')).toBe('b2');
  });

  it('applies to the whole result of a projection', () => {
    expect(value('body.commits.#.id|0')).toBe('a1');
    expect(value('body.commits.#.id|#')).toBe(3);
    expect(value('body.commits.#.id.0')).toEqual([]);
  });

  it('applies after a first-match query', () => {
    expect(value('body.commits.#(id=="b2").modified|1')).toBe('z.go');
    expect(value('body.commits.#(id=="b2")|modified.0')).toBe('y.go');
  });

  it('stops at a missing value', () => {
    expect(getPath(push, 'body.nope|0').exists).toBe(false);
  });

  it('keeps a pipe inside a query as part of the query', () => {
    const data = { a: [{ b: [{ c: 1 }] }, { b: [{ c: 2 }] }] };
    expect(value('a.#(b|0.c==2)#|0.b.0.c', data)).toBe(2);
  });
});

describe('arrays where a scalar was expected', () => {
  it('return the array itself, for the caller to reject or stringify', () => {
    expect(value('body.commits.0.added')).toEqual(['x.go']);
    expect(value('body.commits.#.author')).toEqual([{ name: 'ann' }, { name: 'bob' }, {}]);
  });
});
