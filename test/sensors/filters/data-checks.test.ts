import { describe, expect, it } from 'vitest';
import type { DataFilter } from '../../../crds/index.ts';
import {
  compileDataFilters,
  dataFilterProblems,
  literalLookingPattern,
  literalPatternWarning,
} from '../../../sensors/filters/index.ts';

const problems = (filter: Partial<DataFilter>) =>
  dataFilterProblems({ path: 'body.x', type: 'string', value: ['^x$'], ...filter } as DataFilter);

describe('data filter checks at load', () => {
  it('spot strings that read like literals but match more, and suggest the anchored pattern', () => {
    expect(literalLookingPattern('main')).toBe('^main$');
    expect(literalLookingPattern('argo-workflow-input')).toBe('^argo-workflow-input$');
    expect(literalLookingPattern('v1.2')).toBe('^v1\\.2$');
    expect(literalLookingPattern('hello, world')).toBe('^hello, world$');
    for (const pattern of ['^main$', 'main$', 'ma+in', '(?i)main', 'a|b', '[ab]', 'x{2}', '\\d', '.*']) {
      expect(literalLookingPattern(pattern)).toBeUndefined();
    }
    expect(literalPatternWarning('main')).toBe(
      '"main" is a regular expression found anywhere in the value, so it also matches values such as "main-2" or "old-main"; write "^main$" to match exactly "main"',
    );
    expect(literalPatternWarning('v1.2')).toMatch(
      /and each "\." matches any character; write "\^v1\\\\\.2\$"/,
    );
  });

  it('show that the warning is right: the literal-looking pattern does match more', () => {
    const check = (value: string) =>
      compileDataFilters([{ path: 'ref', type: 'string', value: [value] }])({ ref: 'maintenance' }).pass;
    expect(check('main')).toBe(true);
    expect(check('^main$')).toBe(false);
  });

  it('suggest reading one value of a whole header, which is a list', () => {
    expect(literalPatternWarning('push', 'header.X-Github-Event')).toMatch(
      /read one value with path "header\.X-Github-Event\.0" \(header values are lists\) and write "\^push\$"/,
    );
    const list = { header: { 'X-Github-Event': ['push'] } };
    const pass = (path: string, value: string) =>
      compileDataFilters([{ path, type: 'string', value: [value] }])(list).pass;
    expect(pass('header.X-Github-Event', '^push$')).toBe(false);
    expect(pass('header.X-Github-Event.0', '^push$')).toBe(true);
  });

  it('report each problem at its field', () => {
    expect(problems({ value: ['^ok$', '(unclosed'] })).toEqual([
      {
        path: ['value', 1],
        message:
          '"(unclosed" is not a valid RE2 pattern: error parsing regexp: missing closing ): `(unclosed`',
      },
    ]);
    expect(problems({ comparator: '>' })).toEqual([
      { path: ['comparator'], message: 'a string filter compares with "=" or "!=" only, found ">"' },
    ]);
    expect(problems({ type: 'number', value: ['3.14', 'ten', '1e3'] })).toEqual([
      { path: ['value', 1], message: '"ten" is not a number' },
    ]);
    expect(problems({ type: 'bool', value: ['true', 'yes', 'F'] })).toEqual([
      { path: ['value', 1], message: '"yes" is not a boolean (true, false, 1, 0, t, f)' },
    ]);
    expect(problems({ path: 'a.#(b==1' })).toEqual([
      { path: ['path'], message: expect.stringMatching(/the query is not closed/) },
    ]);
    expect(problems({ path: '..a' })).toEqual([
      { path: ['path'], message: expect.stringMatching(/JSON Lines/), unsupported: true },
    ]);
  });

  it('refuse the same patterns when the sensor starts, not at the first event', () => {
    expect(() => compileDataFilters([{ path: 'a', type: 'string', value: ['(unclosed'] }])).toThrow(
      /is not a valid RE2 pattern/,
    );
  });

  it('leave literal-looking values alone when a template rewrites the value first', () => {
    expect(problems({ value: ['main'], template: '{{ .Input }}' })).toEqual([]);
    expect(problems({ value: ['main'] })).toEqual([
      expect.objectContaining({ path: ['value', 0], severity: 'warning' }),
    ]);
  });
});
