import { describe, expect, it } from 'vitest';
import { compilePath, getPath } from '../../../sensors/paths/index.ts';

const doc = {
  body: {
    ref: 'refs/heads/main',
    commits: [
      { id: 'a1', author: { name: 'ann' } },
      { id: 'b2', author: { name: 'bob' } },
    ],
    empty: [],
    zero: 0,
    nothing: null,
  },
};

describe('JSONPath ($...)', () => {
  it('is chosen by $, $. or $[', () => {
    expect(compilePath('$').syntax).toBe('jsonpath');
    expect(compilePath('$.body.ref').syntax).toBe('jsonpath');
    expect(compilePath("$['body']").syntax).toBe('jsonpath');
    expect(compilePath('$..ref').syntax).toBe('jsonpath');
    expect(compilePath('body.ref').syntax).toBe('gjson');
  });

  it('leaves a gjson key that starts with $ to gjson, as Argo Events reads it', () => {
    expect(compilePath('$schema').syntax).toBe('gjson');
    expect(getPath({ $schema: 'v1', o: { $ref: '#/a' } }, '$schema').value).toBe('v1');
    expect(getPath({ o: { $ref: '#/a' } }, 'o.$ref').value).toBe('#/a');
  });

  it('gives the value itself for one match', () => {
    expect(getPath(doc, '$.body.ref')).toMatchObject({ exists: true, value: 'refs/heads/main' });
    expect(getPath(doc, "$['body']['commits'][1].id").value).toBe('b2');
    expect(getPath(doc, '$.body.commits[-1:]').value).toEqual({ id: 'b2', author: { name: 'bob' } });
  });

  it('gives an array for several matches', () => {
    expect(getPath(doc, '$.body.commits[*].id').value).toEqual(['a1', 'b2']);
    expect(getPath(doc, '$..name').value).toEqual(['ann', 'bob']);
  });

  it('reports no match as not existing, and finds falsy values', () => {
    expect(getPath(doc, '$.body.nope')).toEqual({ exists: false, value: undefined });
    expect(getPath(doc, '$.body.empty[*]').exists).toBe(false);
    expect(getPath(doc, '$.body.empty')).toMatchObject({ exists: true, value: [] });
    expect(getPath(doc, '$.body.zero')).toMatchObject({ exists: true, value: 0 });
    expect(getPath(doc, '$.body.nothing')).toMatchObject({ exists: true, value: null });
  });

  it('returns the whole document for $', () => {
    expect(getPath(doc, '$').value).toBe(doc);
    expect(getPath(0, '$')).toMatchObject({ exists: true, value: 0 });
    expect(getPath('text', '$.length').exists).toBe(false);
    expect(getPath(undefined, '$').exists).toBe(false);
  });

  it('does not reach prototype members', () => {
    expect(getPath(doc, '$.constructor').exists).toBe(false);
    expect(getPath(doc, '$.body.toString').exists).toBe(false);
    expect(getPath(doc, '$.__proto__').exists).toBe(false);
  });

  it('never evaluates a script, even when asked through a filter', () => {
    const marker = globalThis as { impulsePwned?: boolean };
    expect(() => compilePath('$..[?(globalThis.impulsePwned = true)]')).toThrow(
      /script expressions are disabled/,
    );
    expect(marker.impulsePwned).toBeUndefined();
  });
});
