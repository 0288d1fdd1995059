import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import { compileDataFilter } from '../../../sensors/filters/index.ts';

const data = { body: { ref: 'refs/heads/main', size: 2048, labels: ['a', 'b'], flag: 'TRUE' } };

describe('data filter template (Argo: .Input is the value at path as text; the output is compared)', () => {
  it('compares the template output as a string', () => {
    const check = compileDataFilter(
      {
        path: 'body.ref',
        type: 'string',
        value: ['^main$'],
        template: '{{ .Input | trimPrefix "refs/heads/" }}',
      },
      'f',
    );
    expect(check(data).pass).toBe(true);
    const other = compileDataFilter(
      { path: 'body.ref', type: 'string', value: ['^main$'], template: '{{ .Input }}' },
      'f',
    );
    expect(other(data).pass).toBe(false);
  });

  it('gives numbers and other values to the template as text, and parses its output for numbers', () => {
    const kb = compileDataFilter(
      {
        path: 'body.size',
        type: 'number',
        comparator: '>=',
        value: ['2'],
        template: '{{ div (atoi .Input) 1024 }}',
      },
      'f',
    );
    expect(kb(data).pass).toBe(true);
    const list = compileDataFilter(
      { path: 'body.labels', type: 'string', value: ['^\\["a","b"\\]$'], template: '{{ .Input }}' },
      'f',
    );
    expect(list(data).pass).toBe(true);
    const bool = compileDataFilter(
      { path: 'body.flag', type: 'bool', value: ['true'], template: '{{ lower .Input }}' },
      'f',
    );
    expect(bool(data).pass).toBe(true);
  });

  it('fails the filter when the template fails, prints nothing or prints <no value>', () => {
    for (const template of ['{{ .Input.x }}', '{{ "" }}', '{{ .Missing }}']) {
      const verdict = compileDataFilter(
        { path: 'body.ref', type: 'string', value: ['.*'], template },
        'f',
      )(data);
      expect(verdict.pass).toBe(false);
      expect(verdict.reason).toMatch(/template (failed|gave)/);
    }
  });

  it('refuses a template that does not parse when the filter is compiled, naming the field', () => {
    let error: unknown;
    try {
      compileDataFilter(
        { path: 'body.ref', type: 'string', value: ['x'], template: '{{ nosuch .Input }}' },
        'spec.f',
      );
    } catch (err) {
      error = err;
    }
    expect(isImpulseError(error, 'INVALID_MANIFEST')).toBe(true);
    expect((error as Error).message).toBe(
      'spec.f.template: template: param:1: function "nosuch" not defined',
    );
  });
});
