import { describe, expect, it } from 'vitest';
import { type ImpulseError, isImpulseError } from '../../../core/errors.ts';
import { compileTemplate } from '../../../sensors/templates/index.ts';

function compileError(source: string): ImpulseError {
  try {
    compileTemplate(source);
  } catch (err) {
    if (isImpulseError(err)) return err;
    throw err;
  }
  throw new Error(`expected ${source} not to compile`);
}

function renderError(source: string, data: unknown = { Input: {} }, options = {}): ImpulseError {
  const template = compileTemplate(source, options);
  try {
    template.render(data);
  } catch (err) {
    if (isImpulseError(err)) return err;
    throw err;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('compile errors', () => {
  it('names a function that does not exist, as Go does, at compile time', () => {
    const err = compileError('line one\n{{ .Input | frobnicate }}');
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toBe('template: param:2: function "frobnicate" not defined');
    expect(err.details).toMatchObject({ line: 2, function: 'frobnicate' });
  });

  it('refuses Sprig functions Impulse leaves out as unsupported, saying why where it matters', () => {
    const env = compileError('{{ env "HOME" }}');
    expect(env.code).toBe('UNSUPPORTED');
    expect(env.message).toContain(
      'function "env" is not supported by Impulse (it would expose the environment',
    );
    expect(compileError('{{ uuidv4 }}').code).toBe('UNSUPPORTED');
    expect(compileError('{{ define "x" }}{{ end }}').code).toBe('UNSUPPORTED');
  });

  it.each([
    ['{{ .a ', 'unclosed action'],
    ['{{ if .a }}x', 'unexpected EOF'],
    ['{{ end }}', 'unexpected {{end}}'],
    ['{{ else }}', 'unexpected {{else}}'],
    ['{{ $x }}', 'undefined variable "$x"'],
    ['{{ $x = 1 }}', 'undefined variable "$x"'],
    ['{{ break }}', '{{break}} outside {{range}}'],
    ['{{ "abc }}', 'unterminated quoted string'],
    ['{{ 3 | 4 }}', 'non executable command in pipeline stage 2'],
    ['{{ if }}{{ end }}', 'missing value for if'],
    ['{{ .a.b@ }}', "bad character U+0040 '@'"],
    ['{{ 3abc }}', 'bad number syntax'],
    ['{{ 99999999999999999999 }}', 'integer overflow'],
    ['{{ /* x */ }}', 'unexpected'],
    ['{{ (.a }}', 'unclosed left paren'],
    ['{{ "a".b }}', 'unexpected . after term'],
    ['{{ range $a, $b, $c := .x }}{{ end }}', 'too many declarations in range'],
  ])('%s: %s', (source, message) => {
    const err = compileError(source);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain(message);
  });

  it('refuses nesting deeper than 100 levels instead of recursing without bound', () => {
    const deep = `{{ ${'('.repeat(150)}1${')'.repeat(150)} }}`;
    expect(compileError(deep).message).toContain('nesting deeper than 100 levels');
  });
});

describe('execution errors are INVALID_INPUT, worded as Go words them', () => {
  const data = { Input: { s: 'text', n: 3, none: null, list: [1, 2], m: { a: 1 } } };
  it.each([
    ['{{ eq .Input.n 3 }}', 'error calling eq: incompatible types for comparison: float64 and int'],
    ['{{ lt .Input.s 1 }}', 'incompatible types for comparison: string and int'],
    ['{{ eq .Input.list .Input.list }}', 'non-comparable type [1 2]: []interface {}'],
    ['{{ upper 3 }}', 'expected string; found 3'],
    ['{{ upper .Input.n }}', 'wrong type for value; expected string; got float64'],
    ['{{ upper .Input.missing }}', 'invalid value; expected string'],
    ['{{ repeat .Input.n "x" }}', 'wrong type for value; expected int; got float64'],
    ['{{ upper "a" "b" }}', 'wrong number of args for upper: want 1 got 2'],
    ['{{ .Input.s.field }}', "can't evaluate field field in type string"],
    ['{{ .Input.none.field }}', 'nil pointer evaluating interface {}.field'],
    ['{{ .Input.m.a 1 }}', 'a is not a method but has arguments'],
    ['{{ index .Input.list 5 }}', 'error calling index: index out of range: 5'],
    ['{{ index .Input.list "a" }}', 'cannot index slice/array with type string'],
    ['{{ range .Input.n }}{{ end }}', "range can't iterate over 3"],
    ['{{ 3 4 }}', "can't give argument to non-function 3"],
    ['{{ nil }}', 'nil is not a command'],
    ['{{ len .Input.n }}', 'error calling len: len of type float64'],
    ['{{ div 1 0 }}', 'error calling div: runtime error: integer divide by zero'],
    ['{{ substr 4 2 "hello" }}', 'slice bounds out of range [4:2]'],
    ['{{ regexFind "[" "x" }}', 'error calling regexFind: regexp: Compile'],
    ['{{ toRawJson (float64 "NaN") }}', 'json: unsupported value: NaN'],
  ])('%s', (source, message) => {
    const err = renderError(source, data);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(message);
    expect(err.message).toMatch(/^template: param:1:\d+: executing "param" at <.+>: /);
  });

  it('reports the line and column of the failing node', () => {
    const err = renderError('first line\n  {{ .Input.s.x }}', { Input: { s: 'a' } });
    expect(err.message).toContain('template: param:2:5: executing "param" at <.Input.s.x>');
  });
});

describe('limits: no template can run long or grow without bound', () => {
  it('stops a render after its step budget', () => {
    const started = performance.now();
    const err = renderError('{{ range 100000000 }}{{ end }}');
    expect(err.message).toContain('the template took more than 1000000 steps');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(
      renderError('{{ range 50 }}{{ range 50 }}x{{ end }}{{ end }}', {}, { maxSteps: 1000 }).message,
    ).toContain('more than 1000 steps');
  });

  it('stops output and any single result at the size limit', () => {
    expect(renderError('{{ range 2000 }}{{ repeat 1000 "x" }}{{ end }}').message).toContain(
      'the output is larger than the limit of 1048576 characters',
    );
    expect(renderError('{{ repeat 100000000 "xx" }}').message).toContain(
      'repeat would make 200000000 characters',
    );
    expect(renderError('{{ indent 2000000 "x" }}').message).toContain('more than the limit');
    expect(renderError('{{ printf "%099999999d" 1 }}').message).toContain('larger than the output limit');
    expect(renderError('{{ until 2000000 }}').message).toContain('more elements than the limit');
    expect(renderError('{{ $s := "xx" }}{{ range 40 }}{{ $s = cat $s $s }}{{ end }}').message).toMatch(
      /larger than the limit|more than .* steps/,
    );
  });

  it('takes its limits from the options', () => {
    const small = compileTemplate('{{ repeat 20 "x" }}', { maxOutput: 10 });
    expect(() => small.render({})).toThrow(/more than the limit of 10/);
  });
});
