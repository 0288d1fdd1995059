import jsep from 'jsep';
import { describe, expect, it } from 'vitest';
import { compileCondition, compileExpression } from '../../../sensors/expressions/index.ts';

// The govaluate grammar is swapped into jsep's shared tables only while one parse runs.
describe('jsep configuration', () => {
  const Jsep = (jsep as unknown as { Jsep: { binary_ops: Record<string, number>; literals: object } }).Jsep;

  it('is left as it was for other users of jsep', () => {
    const before = { ...Jsep.binary_ops };
    compileExpression('a =~ "x" && b in (1, 2) || c ** 2 > 1');
    compileCondition('dep-1 && dep-2', ['dep-1', 'dep-2']);
    expect(Jsep.binary_ops).toEqual(before);
    expect(Jsep.binary_ops['=~']).toBeUndefined();
    expect(Jsep.binary_ops.in).toBeUndefined();
    expect(jsep('a || b ?? c').type).toBe('BinaryExpression');
    expect(() => jsep('a =~ b')).toThrow();
    expect(jsep('null').type).toBe('Literal');
  });

  it('is restored after a syntax error too', () => {
    const before = { ...Jsep.binary_ops };
    expect(() => compileExpression('a &&')).toThrow();
    expect(Jsep.binary_ops).toEqual(before);
  });

  it('does not leak changes made by others into expressions', () => {
    jsep.addBinaryOp('contains', 6);
    try {
      expect(() => compileExpression('a contains b')).toThrow(/two values with no operator/);
    } finally {
      jsep.removeBinaryOp('contains');
    }
  });
});
