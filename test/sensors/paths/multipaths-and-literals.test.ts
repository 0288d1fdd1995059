import { describe, expect, it } from 'vitest';
import { getPath } from '../../../sensors/paths/index.ts';

const doc = {
  name: { first: 'Tom', last: 'Anderson' },
  age: 37,
  'fav.movie': 'Deer Hunter',
  info: {
    friends: [
      { first: 'Dale', last: 'Murphy', kind: 'Person', details: { city: 'Tempe' } },
      {
        first: 'Roger',
        last: 'Craig',
        kind: 'Person',
        cust2: false,
        extra: [40],
        details: { city: 'Phoenix' },
      },
    ],
  },
};
const value = (path: string, data: unknown = doc) => getPath(data, path).value;

describe('[a,b] multipaths', () => {
  it('build an array of the values that exist', () => {
    expect(value('[name.first,age,nope]')).toEqual(['Tom', 37]);
    expect(value('[]')).toEqual([]);
  });

  it('apply after a dot to the current value', () => {
    expect(value('info.friends.[0.first,1.extra.0]')).toEqual(['Dale', 40]);
  });

  it('can be followed by more path', () => {
    expect(value('[name.first,age].1')).toBe(37);
    expect(value('[name.first,age]|#')).toBe(2);
  });
});

describe('{a,b} multipaths', () => {
  it('name each member after the last part of its path', () => {
    expect(value('{name.first,age,info.friends.1.last}')).toEqual({ first: 'Tom', age: 37, last: 'Craig' });
  });

  it('take an explicit name, quoted or not', () => {
    expect(value('{"n":name.first,a:age,"the murphys":info.friends.#(last=="Murphy")#.first}')).toEqual({
      n: 'Tom',
      a: 37,
      'the murphys': ['Dale'],
    });
  });

  it('use "_" when the last part is not a simple name', () => {
    expect(value('{info.friends.#}')).toEqual({ _: 2 });
    expect(value('{info.friends.#(kind=="Person")#.first}')).toEqual({ first: ['Dale', 'Roger'] });
    expect(value('{{c:info.friends.1.cust2}}')).toEqual({ _: { c: false } });
  });

  it('keep a name that is not valid JSON as written', () => {
    expect(value('{"a\rb":age}')).toEqual({ '"a\rb"': 37 });
  });

  it('skip members that do not exist, and exist even when empty', () => {
    expect(getPath(doc, '{nope,also.nope}')).toMatchObject({ exists: true, value: {} });
    expect(getPath(doc, '{}')).toMatchObject({ exists: true, value: {} });
  });

  it('define "__proto__" as a plain member', () => {
    const out = value('{"__proto__":age}') as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('nest and combine with queries', () => {
    expect(value('{"cities":info.friends.#.details.city,"n":[age,name.last]}')).toEqual({
      cities: ['Tempe', 'Phoenix'],
      n: [37, 'Anderson'],
    });
  });
});

describe('! literals', () => {
  it('put JSON values into a result', () => {
    expect(value('{name.last,"foo":!"bar"}')).toEqual({ last: 'Anderson', foo: 'bar' });
    expect(value('{name.last,"foo":!{"a":"b"},"that"}')).toEqual({ last: 'Anderson', foo: { a: 'b' } });
    expect(value('{name.last,"foo":!{"c":"d"},!"that"}')).toEqual({
      last: 'Anderson',
      foo: { c: 'd' },
      _: 'that',
    });
    expect(value('[!true,!false,!null,!-1.5,!["any","thing"],{"name":!"andy",name.last}]')).toEqual([
      true,
      false,
      null,
      -1.5,
      ['any', 'thing'],
      { name: 'andy', last: 'Anderson' },
    ]);
  });

  it('stand alone at the start of a path, and can be followed by more path', () => {
    expect(value('!"bar"')).toBe('bar');
    expect(value('!{"name":{"first":"Tom"}}.{name.first}.first')).toBe('Tom');
    expect(value('!true', null)).toBe(true);
  });

  it('are plain keys after a dot', () => {
    expect(value('a.!x', { a: { '!x': 1 } })).toBe(1);
  });
});
