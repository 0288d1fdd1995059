import { describe, expect, it } from 'vitest';
import { type ImpulseError, isImpulseError } from '../../../core/errors.ts';
import { compileExpression } from '../../../sensors/expressions/index.ts';

function compileError(source: string): ImpulseError {
  try {
    compileExpression(source);
  } catch (err) {
    if (isImpulseError(err)) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
}

describe('syntax errors', () => {
  it.each([
    ['a &&', 'Expected expression after &&', 5],
    ['(a > 1', 'Unclosed (', 7],
    ['a > 1)', 'Unexpected ")"', 6],
    ['"open', 'the string is not closed', 1],
    ["x == 'open", 'the string is not closed', 6],
    ['[open', 'the "[" of a variable name is not closed', 1],
    ['[] == 1', 'empty variable name', 1],
    ['a $ b', 'unexpected character "$"', 3],
    ['a # b', 'unexpected character "#"', 3],
    ['a = 1', 'Unexpected "="', 3],
    ['k !== "x"', 'Expected expression after !=', 5],
    ['e == false"', 'the string is not closed', 11],
    ['a.b. == 1', 'misplaced "." in the name "a.b."', 1],
    ['0x', '"0x" must be followed by hexadecimal digits', 1],
    ['a ? b', 'Expected :', 6],
  ])('%j: %s', (source, problem, position) => {
    const err = compileError(source);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain(problem);
    expect(err.message).toContain(`at character ${position}`);
    expect(err.details).toMatchObject({ expression: source, position });
  });

  it.each([
    ['', 'the expression is empty'],
    ['   ', 'the expression is empty'],
    ['a b', 'two values with no operator between them'],
    ['f(x)', 'function calls are not supported'],
    ['(a).b', 'property access is not supported'],
    ['(1, 2)', 'a list "(a, b, ...)" is only allowed after "in"'],
    ['x == (1, 2)', 'only allowed after "in"'],
    ['a[0]', 'two values with no operator between them'],
  ])('%j: %s', (source, problem) => {
    const err = compileError(source);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain(problem);
  });

  it('refuses operators govaluate does not have', () => {
    expect(compileError('a === b').code).toBe('INVALID_MANIFEST');
    expect(compileError('a >>> b').code).toBe('INVALID_MANIFEST');
    expect(compileError('+a').code).toBe('INVALID_MANIFEST');
  });

  it('quotes the expression in the message', () => {
    expect(compileError('a &&').message).toBe(
      'invalid expression "a &&": Expected expression after && at character 5',
    );
  });
});
