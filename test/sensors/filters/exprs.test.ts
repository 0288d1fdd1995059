import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import type { ExprFilter } from '../../../crds/index.ts';
import { compileExprFilters, exprFilterProblems } from '../../../sensors/filters/index.ts';

const data = {
  a: 'b',
  'a-longer-name': 10,
  count: '42',
  n: 7,
  nested: { path: { 'can-get': { longer: false } } },
  list: [1, 2, 3],
  empty: null,
};
const filter = (expr: string, fields: Record<string, string>): ExprFilter => ({
  expr,
  fields: Object.entries(fields).map(([name, path]) => ({ name, path })),
});
const verdict = (filters: ExprFilter[], operator: 'and' | 'or' = 'and', input: unknown = data) =>
  compileExprFilters(filters, operator)(input);
const pass = (filters: ExprFilter[], operator: 'and' | 'or' = 'and', input: unknown = data) =>
  verdict(filters, operator, input).pass;

describe('exprs filters', () => {
  it('bind fields read by path to names and pass when the expression is true', () => {
    expect(pass([filter('a == "b" || c == 10', { a: 'a', c: 'a-longer-name' })])).toBe(true);
    expect(pass([filter('e == false', { e: 'nested.path.can-get.longer' })])).toBe(true);
    expect(pass([filter('a == "x" || c > 10', { a: 'a', c: 'a-longer-name' })])).toBe(false);
  });

  it('say what each name was bound to', () => {
    const v = verdict([filter('n > 5 && a =~ "^b$"', { n: 'n', a: 'a' })]);
    expect(v.pass).toBe(true);
    expect(v.reason).toBe('filters.exprs[0] (n > 5 && a =~ "^b$"): true with n = 7, a = "b"');
    const no = verdict([filter('n > 50', { n: 'n' })]);
    expect(no.reason).toBe('filters.exprs[0] (n > 50): false with n = 7');
  });

  it('fail when a field path does not exist, naming the path', () => {
    const v = verdict([filter('x == 1', { x: 'body.nope' })]);
    expect(v).toEqual({
      pass: false,
      reason: 'filters.exprs[0] (x == 1): path "body.nope" (field x) does not exist in the event',
    });
  });

  it('keep types as JSON has them: a number sent as a string is not a number', () => {
    expect(pass([filter('count == "42"', { count: 'count' })])).toBe(true);
    expect(pass([filter('count == 42', { count: 'count' })])).toBe(false);
    const v = verdict([filter('count > 40', { count: 'count' })]);
    expect(v.pass).toBe(false);
    expect(v.reason).toMatch(/compares two numbers or two strings, got string "42" and number 40/);
  });

  it('read arrays and nulls as values, and fail on a type error with the error as the reason', () => {
    expect(pass([filter('len == 3', { len: 'list.#' })])).toBe(true);
    expect(pass([filter('x == 2', { x: 'list.1' })])).toBe(true);
    const v = verdict([filter('x > 1', { x: 'list' })]);
    expect(v.pass).toBe(false);
    expect(v.reason).toMatch(/^filters\.exprs\[0\]: expression "x > 1": .*list \[1,2,3\]/);
    expect(pass([filter('x == nothing', { x: 'empty', nothing: 'empty' })])).toBe(true);
  });

  it('pass only on true: an expression that gives something else fails', () => {
    const v = verdict([filter('a', { a: 'a' })]);
    expect(v.pass).toBe(false);
    expect(v.reason).toBe('filters.exprs[0] (a): "b", not true, with a = "b"');
  });

  it('fail on data that is not a JSON object, since no path exists in it', () => {
    expect(pass([filter('a == "b"', { a: 'a' })], 'and', 'plain text')).toBe(false);
    expect(pass([filter('a == "b"', { a: 'a' })], 'and', null)).toBe(false);
  });

  it('combine with and (default) or or; or lists every failure', () => {
    const failing = filter('n > 100', { n: 'n' });
    const missing = filter('x == 1', { x: 'nope' });
    const passing = filter('n == 7', { n: 'n' });
    expect(pass([failing, passing])).toBe(false);
    expect(pass([failing, passing], 'or')).toBe(true);
    expect(pass([missing, passing], 'or')).toBe(true);
    const v = verdict([failing, missing], 'or');
    expect(v.pass).toBe(false);
    expect(v.reason).toBe(
      'filters.exprs[0] (n > 100): false with n = 7; filters.exprs[1] (x == 1): path "nope" (field x) does not exist in the event',
    );
  });

  it('refuse at compile time what could never work, naming the field', () => {
    const err = (f: ExprFilter) => {
      try {
        compileExprFilters([f]);
      } catch (e) {
        if (isImpulseError(e, 'INVALID_MANIFEST')) return e.message;
        throw e;
      }
      return 'compiled';
    };
    expect(err(filter('a ==', { a: 'a' }))).toMatch(/^filters\.exprs\[0\]\.expr: invalid expression "a =="/);
    expect(err(filter('a == b', { a: 'a' }))).toBe(
      'filters.exprs[0].expr: uses "b", which is not one of its fields ("a"); add a field {name: b, path: ...}',
    );
    expect(err(filter('a =~ "("', { a: 'a' }))).toMatch(/invalid regular expression "\("/);
    expect(err(filter('a == 1', { a: 'a.#(b==1' }))).toMatch(
      /^filters\.exprs\[0\]\.fields\[0\]\.path:.*not closed/,
    );
  });

  it('warn about fields the expression never reads (their paths must still exist) and names given twice', () => {
    const problems = exprFilterProblems({
      expr: 'a == 1',
      fields: [
        { name: 'a', path: 'x' },
        { name: 'b', path: 'y' },
        { name: 'a', path: 'z' },
      ],
    });
    expect(problems).toEqual([
      {
        path: ['fields', 2, 'name'],
        message: 'field "a" is named twice (also fields[0]); the later path wins',
        severity: 'warning',
      },
      {
        path: ['fields', 1, 'name'],
        message:
          '"b" is not used by the expression, but its path must still exist in the event for the filter to pass',
        severity: 'warning',
      },
    ]);
    // The later path wins, as in Argo Events (a Go map assignment).
    expect(
      pass([
        {
          expr: 'a == 7',
          fields: [
            { name: 'a', path: 'a' },
            { name: 'a', path: 'n' },
          ],
        },
      ]),
    ).toBe(true);
  });

  it('refuse names that reach an object prototype', () => {
    expect(() => compileExprFilters([filter('constructor == 1', { constructor: 'a' })])).toThrow(
      /not allowed/,
    );
  });
});
