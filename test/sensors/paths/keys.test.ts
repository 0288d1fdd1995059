import { describe, expect, it } from 'vitest';
import { getPath } from '../../../sensors/paths/index.ts';

const missing = { exists: false, value: undefined };

describe('keys', () => {
  const doc = {
    body: { ref: 'refs/heads/main', 'x-count': 3, empty: '', zero: 0, no: false, nothing: null },
    headers: { 'X-Github-Event': ['push'] },
    día: { naïve: 'ok', 日本: '語' },
    '': { inner: 'empty key' },
  };

  it('follows nested keys', () => {
    expect(getPath(doc, 'body.ref')).toMatchObject({ exists: true, value: 'refs/heads/main' });
    expect(getPath(doc, 'headers.X-Github-Event.0').value).toBe('push');
    expect(getPath(doc, 'body.x-count').value).toBe(3);
  });

  it('finds falsy values, and null exists', () => {
    expect(getPath(doc, 'body.empty')).toMatchObject({ exists: true, value: '' });
    expect(getPath(doc, 'body.zero')).toMatchObject({ exists: true, value: 0 });
    expect(getPath(doc, 'body.no')).toMatchObject({ exists: true, value: false });
    expect(getPath(doc, 'body.nothing')).toMatchObject({ exists: true, value: null });
  });

  it('reads unicode keys as they are', () => {
    expect(getPath(doc, 'día.naïve').value).toBe('ok');
    expect(getPath(doc, 'día.日本').value).toBe('語');
    expect(getPath(doc, 'd?a.日?').value).toBe('語');
  });

  it('reports a missing key, or a key under a scalar, as not existing', () => {
    expect(getPath(doc, 'body.nope')).toEqual(missing);
    expect(getPath(doc, 'nope.deeper.still')).toEqual(missing);
    expect(getPath(doc, 'body.ref.length')).toEqual(missing);
    expect(getPath(doc, 'body.nothing.x')).toEqual(missing);
    expect(getPath(doc, 'body.zero.0')).toEqual(missing);
  });

  it('reads the empty key with a leading or doubled dot', () => {
    expect(getPath(doc, '.inner').value).toBe('empty key');
    expect(getPath({ a: { '': 1 } }, 'a..')).toEqual(missing);
    expect(getPath({ a: { '': { b: 2 } } }, 'a..b').value).toBe(2);
  });

  it('returns nothing for data that is not an object or array', () => {
    expect(getPath(undefined, 'a')).toEqual(missing);
    expect(getPath(null, 'a')).toEqual(missing);
    expect(getPath('{"a":1}', 'a')).toEqual(missing);
    expect(getPath(42, '0')).toEqual(missing);
  });
});

describe('escapes', () => {
  // From gjson's own escape tests: every special character can be escaped.
  const doc = {
    test: {
      '*': 'valZ',
      '*v': 'val0',
      'keyv*': 'val1',
      'key*v': 'val2',
      'keyv?': 'val3',
      'key?v': 'val4',
      'keyv.': 'val5',
      'key.v': 'val6',
      'keyk*': { 'key?': 'val7' },
      'a|b': 'pipe',
      'a\\b': 'backslash',
      '#': 'hash',
      '@timestamp': 'at',
    },
  };

  it.each([
    ['test.\\*', 'valZ'],
    ['test.\\*v', 'val0'],
    ['test.keyv\\*', 'val1'],
    ['test.key\\*v', 'val2'],
    ['test.keyv\\?', 'val3'],
    ['test.key\\?v', 'val4'],
    ['test.keyv\\.', 'val5'],
    ['test.key\\.v', 'val6'],
    ['test.keyk\\*.key\\?', 'val7'],
    ['test.a\\|b', 'pipe'],
    ['test.a\\\\b', 'backslash'],
    ['test.#', 'hash'],
    ['test.@timestamp', 'at'],
  ])('%s', (path, expected) => {
    expect(getPath(doc, path).value).toBe(expected);
  });

  it('treats an escaped wildcard literally even next to a real one', () => {
    expect(getPath(doc, 'test.key\\**').value).toBe('val2');
    expect(getPath({ axb: 2, 'a*b': 1 }, 'a\\*?').value).toBe(1);
    expect(getPath({ 'a*b': 1, axb: 2 }, 'a\\*b').value).toBe(1);
  });

  it('never lets an escaped digit address an array element', () => {
    expect(getPath({ a: ['x', 'y'] }, 'a.\\1').exists).toBe(false);
  });
});

describe('wildcards', () => {
  const doc = { alpha: { n: 1 }, alps: { m: 2 }, beta: 3 };

  it('take the first matching member in document order', () => {
    expect(getPath(doc, 'al*').value).toEqual({ n: 1 });
    expect(getPath(doc, '*').value).toEqual({ n: 1 });
    expect(getPath(doc, '????').value).toEqual({ m: 2 });
    expect(getPath(doc, 'b???').value).toBe(3);
  });

  it('try the next matching member when the rest of the path finds nothing there', () => {
    expect(getPath(doc, 'al*.m').value).toBe(2);
    expect(getPath(doc, 'al*.zz').exists).toBe(false);
  });

  it('do not look past a pipe for another member', () => {
    expect(getPath(doc, 'al*|m').exists).toBe(false);
  });

  it('match characters, not UTF-16 units', () => {
    expect(getPath({ 'a😀b': 1 }, 'a?b').value).toBe(1);
    expect(getPath({ 'a😀b': 1 }, 'a??b').exists).toBe(false);
  });

  it('never match array elements', () => {
    expect(getPath({ a: [1, 2] }, 'a.*').exists).toBe(false);
    expect(getPath({ a: [1, 2] }, 'a.?').exists).toBe(false);
  });
});

describe('array indexes', () => {
  const doc = { list: ['a', 'b', 'c'], nested: [[1, 2], [3]], objects: [{ id: 1 }, { id: 2 }] };

  it('read elements by position', () => {
    expect(getPath(doc, 'list.2').value).toBe('c');
    expect(getPath(doc, 'nested.1.0').value).toBe(3);
    expect(getPath(doc, 'objects.1.id').value).toBe(2);
    expect(getPath(doc, 'list.01').value).toBe('b');
  });

  it('miss out of range, negative and non-numeric indexes', () => {
    expect(getPath(doc, 'list.3').exists).toBe(false);
    expect(getPath(doc, 'list.-1').exists).toBe(false);
    expect(getPath(doc, 'list.first').exists).toBe(false);
    expect(getPath(doc, 'list.99999999999999999999').exists).toBe(false);
  });

  it('reads a numeric key of an object as a key', () => {
    expect(getPath({ o: { '1': 'one' } }, 'o.1').value).toBe('one');
  });

  it('treats a root array like any other', () => {
    expect(getPath(['x', 'y'], '1').value).toBe('y');
    expect(getPath(['x', 'y'], '#').value).toBe(2);
  });
});

describe('prototype keys', () => {
  it('only see own members', () => {
    const doc = { a: {} };
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype']) {
      expect(getPath(doc, `a.${key}`).exists).toBe(false);
      expect(getPath(doc, key).exists).toBe(false);
    }
    expect(getPath([], 'length').exists).toBe(false);
    expect(getPath({ s: 'abc' }, 's.length').exists).toBe(false);
  });

  it('read a "__proto__" key that JSON.parse created as plain data', () => {
    const doc = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    expect(getPath(doc, '__proto__.polluted').value).toBe(true);
    expect(getPath(doc, '__*.polluted').value).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
