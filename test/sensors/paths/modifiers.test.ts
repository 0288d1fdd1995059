import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { compilePath, getPath } from '../../../sensors/paths/index.ts';

const doc = {
  children: ['Sara', 'Alex', 'Jack'],
  name: { first: 'Tom', last: 'Anderson' },
  nested: [1, [2], [3, 4], [5, [6, 7]]],
  encoded: '{"id":1023,"name":"alert"}',
  '@timestamp': '2024-01-01T00:00:00Z',
};
const value = (path: string) => getPath(doc, path).value;

describe('supported modifiers', () => {
  it('@this returns the current value', () => {
    expect(value('@this')).toBe(doc);
    expect(value('children|@this|1')).toBe('Alex');
  });

  it('@reverse reverses arrays and object members', () => {
    expect(value('children.@reverse')).toEqual(['Jack', 'Alex', 'Sara']);
    expect(Object.keys(value('name.@reverse') as object)).toEqual(['last', 'first']);
    expect(value('name.first.@reverse')).toBe('Tom');
    expect(doc.children).toEqual(['Sara', 'Alex', 'Jack']); // the event data is not changed
  });

  it('@flatten flattens one level', () => {
    expect(value('nested.@flatten')).toEqual([1, 2, 3, 4, 5, [6, 7]]);
  });

  it('@keys and @values split an object', () => {
    expect(value('name.@keys')).toEqual(['first', 'last']);
    expect(value('name.@values')).toEqual(['Tom', 'Anderson']);
    expect(value('children.@values')).toEqual(['Sara', 'Alex', 'Jack']);
  });

  it('@tostr and @fromstr convert between JSON and a string of JSON', () => {
    expect(value('name.@tostr')).toBe('{"first":"Tom","last":"Anderson"}');
    expect(value('encoded.@fromstr.name')).toBe('alert');
    expect(getPath({ s: 'not json' }, 's.@fromstr').exists).toBe(false);
  });

  it('@valid and @ugly leave parsed values alone', () => {
    expect(value('name.@valid.first')).toBe('Tom');
    expect(value('@ugly|name|first')).toBe('Tom');
  });
});

describe('other @ names', () => {
  it('read a key starting with @ when it is not a gjson modifier', () => {
    expect(value('@timestamp')).toBe('2024-01-01T00:00:00Z');
    expect(getPath({ a: { '@x': 1 } }, 'a.@x').value).toBe(1);
  });

  it.each(['children.@pretty', '@join', 'a.@group', '@dig:name'])(
    'refuse the unsupported modifier in %s',
    (path) => {
      expect(() => compilePath(path)).toThrow(/modifier is not supported/);
      try {
        compilePath(path);
      } catch (err) {
        expect(isImpulseError(err, 'UNSUPPORTED')).toBe(true);
      }
    },
  );

  it('refuse modifier arguments', () => {
    expect(() => compilePath('nested.@flatten:{"deep":true}')).toThrow(/arguments to the @flatten modifier/);
  });
});
