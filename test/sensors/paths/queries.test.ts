import { describe, expect, it } from 'vitest';
import { getPath } from '../../../sensors/paths/index.ts';

// A document shaped like gjson's own query tests.
const doc = {
  info: {
    friends: [
      {
        first: 'Dale',
        last: 'Murphy',
        kind: 'Person',
        cust1: true,
        extra: [10, 20, 30],
        details: { city: 'Tempe', state: 'Arizona' },
      },
      {
        first: 'Roger',
        last: 'Craig',
        kind: 'Person',
        cust2: false,
        extra: [40, 50, 60],
        details: { city: 'Phoenix', state: 'Arizona' },
      },
    ],
  },
};

const value = (path: string, data: unknown = doc) => getPath(data, path).value;
const exists = (path: string, data: unknown = doc) => getPath(data, path).exists;

describe('queries on numbers', () => {
  it.each([
    ['i*.f*.#(extra.0<11).first', 'Dale'],
    ['i*.f*.#(extra.0<=11).first', 'Dale'],
    ['i*.f*.#(extra.0<=10).first', 'Dale'],
    ['i*.f*.#(extra.0==10).first', 'Dale'],
    ['i*.f*.#(extra.0=10).first', 'Dale'],
    ['i*.f*.#(extra.0!=10).first', 'Roger'],
    ['i*.f*.#(extra.0>10).first', 'Roger'],
    ['i*.f*.#(extra.0>=10).first', 'Dale'],
    ['i*.f*.#(extra.0>=1e1).first', 'Dale'],
  ])('%s', (path, expected) => {
    expect(value(path)).toBe(expected);
  });

  it('find nothing when no element passes', () => {
    expect(exists('i*.f*.#(extra.0<10).first')).toBe(false);
    expect(exists('i*.f*.#(extra.0==11).first')).toBe(false);
  });

  it('read a quoted right-hand side as a number when the element is a number', () => {
    expect(value('i*.f*.#(extra.0<"11").first')).toBe('Dale');
    expect(value('#(=="123")#', [123, '123', 124])).toEqual([123, '123']);
  });

  it('compare with 0 when the right-hand side is not a number at all', () => {
    expect(value('#(>abc)#', [-1, 0, 1])).toEqual([1]);
  });

  it('compare numbers given as strings as strings (lexically)', () => {
    const data = { items: [{ n: '9' }, { n: '10' }] };
    expect(value('items.#(n>"5")#.n', data)).toEqual(['9']);
    expect(value('items.#(n>5)#.n', data)).toEqual(['9']);
  });
});

describe('queries on strings', () => {
  it.each([
    ['i*.f*.#(first>"Dale").last', 'Craig'],
    ['i*.f*.#(first>="Dale").last', 'Murphy'],
    ['i*.f*.#(first=="Dale").last', 'Murphy'],
    ['i*.f*.#(first!="Dale").last', 'Craig'],
    ['i*.f*.#(first<="Dale").last', 'Murphy'],
    ['i*.f*.#(first%"Da*").last', 'Murphy'],
    ['i*.f*.#(first%"Dale").last', 'Murphy'],
    ['i*.f*.#(first==Dale).last', 'Murphy'],
    ['i*.f*.#(details.city=="Phoenix").last', 'Craig'],
    ['i*.f*.#(details.state=="Arizona").last', 'Murphy'],
  ])('%s', (path, expected) => {
    expect(value(path)).toBe(expected);
  });

  it('count matches with a pipe', () => {
    expect(value('i*.f*.#(first%"*a*")#|#')).toBe(1);
    expect(value('i*.f*.#(first%"*e*")#|#')).toBe(2);
    expect(value('i*.f*.#(first!%"*e*")#|#')).toBe(0);
    expect(exists('i*.f*.#(first<"Dale").last')).toBe(false);
  });

  it('decode JSON escapes in a quoted right-hand side', () => {
    const data = {
      f: [
        { last: 'Mur\nphy', age: 44 },
        { last: 'Murphy', age: 47 },
      ],
    };
    expect(value('f.#(last=="Mur\\nphy").age', data)).toBe(44);
    expect(value('f.#(last=="Murphy").age', data)).toBe(47);
    expect(value('f.#(last=="a \\"q\\" b").age', { f: [{ last: 'a "q" b', age: 1 }] })).toBe(1);
  });

  it('compare in code point order, like Go', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 units, but before it by code point.
    expect(value('#(>"～")#', ['😀', 'a'])).toEqual(['😀']);
  });

  it('accept an empty right-hand side, which compares with ""', () => {
    expect(value('#(!="")#', ['ig', '', 'tw'])).toEqual(['ig', 'tw']);
    expect(value('#(!=)#', ['ig', '', 'tw'])).toEqual(['ig', 'tw']);
  });
});

describe('like patterns (% and !%)', () => {
  const names = ['John Lennon', 'Mick Jagger', 'Elton John', 'j?hn', 'a*b', 'Ωmega'];
  it.each([
    ['#(%"John*")#', ['John Lennon']],
    ['#(%"*John")#', ['Elton John']],
    ['#(%"*o?n*")#', ['John Lennon', 'Elton John']],
    ['#(%"j\\\\?hn")#', ['j?hn']],
    ['#(%"a\\\\*b")#', ['a*b']],
    ['#(%"?mega")#', ['Ωmega']],
    ['#(!%"*n*")#', ['Mick Jagger', 'a*b', 'Ωmega']],
  ])('%s', (path, expected) => {
    expect(value(path, names)).toEqual(expected);
  });

  it('never match numbers, bools or null', () => {
    expect(value('#(%"*")#', [1, true, null, 's'])).toEqual(['s']);
  });
});

describe('queries on bools and null', () => {
  it.each([
    ['i*.f*.#(cust1==true).first', 'Dale'],
    ['i*.f*.#(cust2==false).first', 'Roger'],
    ['i*.f*.#(cust1!=false).first', 'Dale'],
    ['i*.f*.#(cust2!=true).first', 'Roger'],
    ['i*.f*.#(cust1>=true).first', 'Dale'],
    ['i*.f*.#(cust2<=false).first', 'Roger'],
  ])('%s', (path, expected) => {
    expect(value(path)).toBe(expected);
  });

  it('follow gjson for the odd comparisons', () => {
    expect(exists('i*.f*.#(cust1>true).first')).toBe(false);
    expect(exists('i*.f*.#(cust2<false).first')).toBe(false);
  });

  it('never match null or objects with a comparison', () => {
    expect(value('#(==null)#', [null, 'null'])).toEqual(['null']);
    expect(value('#(a==1)#', [{ a: { b: 1 } }, { a: [1] }])).toEqual([]);
  });
});

describe('existence and value queries', () => {
  it('select elements that have a member', () => {
    const data = { items: [{ a: 1 }, { b: 2 }, { a: null }] };
    expect(value('items.#(a)#', data)).toEqual([{ a: 1 }, { a: null }]);
    expect(value('items.#(b).b', data)).toBe(2);
  });

  it('compare scalar elements themselves', () => {
    const data = ['ig', '', 'tw', 'fb'];
    expect(value('#(=="fb")', data)).toBe('fb');
    expect(value('#(!="ig")#', data)).toEqual(['', 'tw', 'fb']);
  });

  it('look into nested arrays by index', () => {
    const artists = [['Bob Dylan'], 'John Lennon', true, 123, null];
    expect(value('#(0=="Bob Dylan")#|#', artists)).toBe(1);
    expect(value('#(0=="Bob Dylan 2")#|#', artists)).toBe(0);
    expect(value('#(_%"John*")#|#', artists)).toBe(0);
  });

  it('nest queries', () => {
    const data = {
      teams: [{ members: [{ role: 'lead', name: 'a' }] }, { members: [{ role: 'dev', name: 'b' }] }],
    };
    expect(value('teams.#(members.#(role=="dev"))#.members.0.name', data)).toEqual(['b']);
    expect(value('teams.#(members.#(role=="lead")).members.0.name', data)).toBe('a');
  });
});

describe('first match and all matches', () => {
  const data = { a: [{ k: 1, v: 'x' }, { k: 1 }, { k: 2, v: 'z' }] };

  it('continue the path on the first match only', () => {
    expect(value('a.#(k==1).v', data)).toBe('x');
    expect(exists('a.#(k==2).nope', data)).toBe(false);
  });

  it('keep only the matches where the rest of the path exists', () => {
    expect(value('a.#(k==1)#.v', data)).toEqual(['x']);
  });

  it('give an empty array for all matches when none pass (which exists)', () => {
    expect(getPath(data, 'a.#(k==9)#')).toMatchObject({ exists: true, value: [] });
    expect(getPath([], '#(hello)#')).toMatchObject({ exists: true, value: [] });
    expect(exists('a.#(k==9)', data)).toBe(false);
  });

  it('do not apply to objects or scalars', () => {
    expect(exists('#(k==1)', { k: 1 })).toBe(false);
    expect(exists('a.0.#(k==1)#', data)).toBe(false);
  });

  it('accept the older #[...] brackets', () => {
    expect(value('a.#[k==2].v', data)).toBe('z');
    expect(value('a.#[k==1]#|#', data)).toBe(2);
  });

  it('allow blanks around the parts of a query', () => {
    expect(value('a.#( k == 2 ).v', data)).toBe('z');
  });
});
