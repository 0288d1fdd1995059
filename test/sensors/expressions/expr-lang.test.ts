import { describe, expect, it } from 'vitest';
import { type ImpulseError, isImpulseError } from '../../../core/errors.ts';
import { compileExprLang } from '../../../sensors/expressions/index.ts';

const env = {
  body: {
    action: 'opened',
    number: 42,
    draft: false,
    labels: ['bug', 'urgent'],
    commits: [{ id: 'a' }, { id: 'b' }],
    'x-y': 'dash',
    sender: { login: 'renovate[bot]' },
    nothing: null,
  },
  header: { 'X-Github-Event': ['pull_request'] },
};
const run = (source: string, vars: Record<string, unknown> = env) => compileExprLang(source).evaluate(vars);

function thrown(fn: () => unknown): ImpulseError {
  try {
    fn();
  } catch (err) {
    if (isImpulseError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('the expr-lang subset of EventSource filters', () => {
  it('reads names, members and indexes', () => {
    expect(run('body.action == "opened"')).toBe(true);
    expect(run("body.action == 'opened'")).toBe(true);
    expect(run('body["x-y"] == "dash"')).toBe(true);
    expect(run('header["X-Github-Event"][0] == "pull_request"')).toBe(true);
    expect(run('body.commits[1].id == "b"')).toBe(true);
    expect(run('body.commits[-1].id == "b"')).toBe(true);
  });

  it('compares numbers, strings and booleans as expr-lang does', () => {
    expect(run('body.number > 40 && body.number <= 42')).toBe(true);
    expect(run('body.number == 42.0')).toBe(true);
    expect(run('body.number == "42"')).toBe(false);
    expect(run('body.action < "p"')).toBe(true);
    expect(run('body.draft == false')).toBe(true);
    expect(run('body.number >= -1')).toBe(true);
    expect(run('0x2A == body.number && 1_000 > 999 && 1e3 == 1000')).toBe(true);
  });

  it('has word and symbol forms of the logical operators, with and binding tighter than or', () => {
    expect(run('body.draft or body.number == 42')).toBe(true);
    expect(run('not body.draft and !body.draft')).toBe(true);
    expect(run('true || false && false')).toBe(true);
    expect(run('(true || false) && false')).toBe(false);
    // `not` binds tighter than `==`, as in expr-lang.
    expect(() => run('not body.action == "x"')).toThrow(/"!" needs true or false/);
  });

  it('supports in over lists and map keys, and the not-forms', () => {
    expect(run('body.action in ["opened", "edited"]')).toBe(true);
    expect(run('body.action not in ["opened", "edited"]')).toBe(false);
    expect(run('"urgent" in body.labels')).toBe(true);
    expect(run('"action" in body')).toBe(true);
    expect(run('"missing" in body')).toBe(false);
    expect(run('"x" in body.nope')).toBe(false);
    expect(run('42 in [41, 42]')).toBe(true);
  });

  it('supports matches (RE2, anywhere in the string), contains, startsWith and endsWith', () => {
    expect(run('body.action matches "^open"')).toBe(true);
    expect(run('body.action matches "pen"')).toBe(true);
    expect(run('body.action not matches "(?i)^OPENED$"')).toBe(false);
    expect(run('body.sender.login endsWith "[bot]"')).toBe(true);
    expect(run('body.sender.login startsWith "renovate"')).toBe(true);
    expect(run('body.sender.login contains "ate["')).toBe(true);
    expect(run('body.sender.login not contains "dependabot"')).toBe(true);
  });

  it('has nil, ternaries and Go string escapes', () => {
    expect(run('body.nothing == nil && body.nope == nil')).toBe(true);
    expect(run('body.draft ? "draft" : "ready"')).toBe('ready');
    expect(run('"a\\tb" == "a\tb" && "\\u00e9" == "é" && "\\x41\\101" == "AA"')).toBe(true);
  });

  it('reads a missing key as nil but fails on a field of nil, unless ?. is used', () => {
    expect(run('body.missing != "x"')).toBe(true);
    expect(run('nope == nil')).toBe(true);
    const err = thrown(() => run('body.missing.deeper == 1'));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      'expression "body.missing.deeper == 1": cannot read "deeper" of nil (in body.missing.deeper)',
    );
    expect(run('body.missing?.deeper == nil')).toBe(true);
    expect(thrown(() => run('body.commits[5].id == "x"')).message).toMatch(
      /index 5 out of range for a list of 2/,
    );
    expect(thrown(() => run('body.action.x == 1')).message).toMatch(/cannot read "x" of string "opened"/);
  });

  it('reports type errors when evaluating', () => {
    expect(thrown(() => run('body.number contains "4"')).message).toMatch(/"contains" needs two strings/);
    expect(thrown(() => run('body.action > 1')).message).toMatch(/compares two numbers or two strings/);
    expect(thrown(() => run('body.nothing matches "x"')).message).toMatch(/"=~" needs a string on its left/);
    expect(thrown(() => run('1 in "abc"')).message).toMatch(/"in" needs a list or a map/);
  });

  it('reads own properties only', () => {
    expect(run('body.toString == nil')).toBe(true);
    expect(run('"toString" in body')).toBe(false);
  });

  it.each([
    ['len(body.labels) > 1', /function calls such as len\(\.\.\.\) are not supported/],
    ['body.number + 1 > 2', /the operator "\+" is not supported/],
    ['body.number * 2 > 2', /the operator "\*" is not supported/],
    ['body.a ?? "x"', /the operator "\?\?" is not supported/],
    ['body.labels | filter(# == "x")', /the operator "\|" is not supported/],
    ['1..3', /the operator "\.\." is not supported/],
    ['{a: 1}', /map literals are not supported/],
    ['let x = 1; x == 1', /"let" is not supported/],
    ['body.__proto__ == nil', /the name "__proto__" is not allowed/],
    ['body.action ==', /the expression ends too soon/],
    ['body.action == "x', /the string is not closed/],
    ['body.action matches "("', /invalid regular expression "\("/],
    ['body.labels[body.number]', /an index must be a string or an integer written out/],
    ['a b', /unexpected "b"/],
    ['', /the expression is empty/],
    ['body.action == @', /unexpected character "@"/],
  ])('refuses %j when compiling', (source, message) => {
    const err = thrown(() => compileExprLang(source));
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toMatch(message);
  });

  it('names the position of a syntax error', () => {
    expect(thrown(() => compileExprLang('body.x == 1 && len(y)')).message).toMatch(/at character 16$/);
  });
});
