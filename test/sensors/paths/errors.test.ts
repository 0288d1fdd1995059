import { describe, expect, it } from 'vitest';
import { type ImpulseError, isImpulseError } from '../../../core/errors.ts';
import { compilePath } from '../../../sensors/paths/index.ts';

function compileError(path: string): ImpulseError {
  try {
    compilePath(path);
  } catch (err) {
    if (isImpulseError(err)) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(path)} not to compile`);
}

describe('malformed gjson paths', () => {
  it.each([
    ['', 'the path is empty', 1],
    ['a.#(b==1', 'the query is not closed', 3],
    ['a.#(b=="x)', 'the string is not closed', 8],
    ['a.#(b==1)x', 'unexpected "x" after the query', 10],
    ['a.#(b!1)', 'unknown query operator "!1"', 6],
    ['a.#()', 'the query is empty', 3],
    ['a.#(b=="\\q")', 'the quoted value is not a valid JSON string', 8],
    ['[a,b', 'the "[" is not closed', 1],
    ['{a,b}c', 'unexpected "c" after the multipath', 6],
    ['a\\', '"\\" must be followed by the character it escapes', 2],
    ['!nope', 'unknown literal "!nope"', 1],
    ['!{"a":1', 'the "{" is not closed', 2],
    ['!{"a":}', 'invalid JSON literal', 2],
    ['!"x"y', 'unexpected "y" after the literal', 5],
  ])('%j: %s at character %i', (path, problem, position) => {
    const err = compileError(path);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain(problem);
    expect(err.message).toContain(`at character ${position}`);
    expect(err.message).toContain(JSON.stringify(path));
    expect(err.details).toEqual({ path, position });
  });

  it('refuses JSON Lines paths as unsupported', () => {
    const err = compileError('..0');
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toContain('JSON Lines');
  });

  it('reports errors inside nested queries and multipaths at their place in the whole path', () => {
    expect(compileError('a.#(b.#(c=="x)==1)').message).toContain('at character 12');
    expect(compileError('{x:a.#(b==1)z}').message).toContain('at character 13');
  });
});

describe('malformed JSONPath', () => {
  it.each([
    ['$.a[', 'the "[" is not closed', 4],
    ["$['a]", 'the string is not closed', 3],
    ['$.a]', 'unexpected "]"', 4],
  ])('%j: %s', (path, problem, position) => {
    const err = compileError(path);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain(problem);
    expect(err.details).toEqual({ path, position });
  });

  it.each(['$.a[?(@.b == 1)]', '$[(@.length-1)]', '$..a[?(@.x)]'])(
    'refuses script expressions: %s',
    (path) => {
      const err = compileError(path);
      expect(err.code).toBe('UNSUPPORTED');
      expect(err.message).toContain('script expressions are disabled');
    },
  );

  it('refuses type selectors such as @other()', () => {
    expect(compileError('$.a.@other()').code).toBe('UNSUPPORTED');
  });
});
