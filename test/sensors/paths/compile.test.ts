import { describe, expect, it } from 'vitest';
import { compilePath, getPath } from '../../../sensors/paths/index.ts';

describe('compilePath', () => {
  it('describes the compiled path', () => {
    const path = compilePath('body.commits.#.id');
    expect(path.source).toBe('body.commits.#.id');
    expect(path.syntax).toBe('gjson');
  });

  it('parses once and evaluates many times with the same answers', () => {
    const path = compilePath('body.items.#(n>=5)#.n');
    for (let i = 0; i < 10_000; i++) {
      const n = i % 10;
      const result = path({ body: { items: [{ n }, { n: n + 1 }] } });
      const expected = [n, n + 1].filter((x) => x >= 5);
      expect(result.value).toEqual(expected);
    }
  });

  it('keeps no state between evaluations', () => {
    const path = compilePath('a*.b');
    expect(path({ ax: { c: 1 }, ay: { b: 2 } }).value).toBe(2);
    expect(path({ ax: { b: 1 } }).value).toBe(1);
    expect(path({}).exists).toBe(false);
  });

  it('is what getPath uses, with the same result', () => {
    const data = { a: [{ b: 1 }, { b: 2 }] };
    expect(getPath(data, 'a.#.b')).toEqual(compilePath('a.#.b')(data));
  });

  it('does not change the data it reads', () => {
    const data = { a: [3, 1, 2], o: { x: 1, y: 2 } };
    const copy = structuredClone(data);
    compilePath('{a.@reverse,o.@reverse,a.@flatten,o.@keys}')(data);
    expect(data).toEqual(copy);
  });
});
