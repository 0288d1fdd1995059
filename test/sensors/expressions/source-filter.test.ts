import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../../core/errors.ts';
import {
  compileSourceFilter,
  filterEnvironment,
  sourceFilterProblems,
} from '../../../sensors/expressions/index.ts';

const filter = (expression: string) => compileSourceFilter({ expression }, 'spec.webhook.example.filter');
const payload = {
  header: { 'Content-Type': ['application/json'] },
  body: { id: 4, name: 'John', department: { name: 'HR' } },
};

describe('EventSource filter.expression', () => {
  it('passes a payload when the expression is true, as in Argo Events’ own example', () => {
    const f = filter("(body.id == 4) && (body.name != 'Joe')");
    expect(f(payload)).toEqual({
      pass: true,
      reason: "spec.webhook.example.filter.expression ((body.id == 4) && (body.name != 'Joe')): true",
    });
    expect(f({ ...payload, body: { id: 2, name: 'Johnson' } }).pass).toBe(false);
    expect(f({ ...payload, body: { id: 4, name: 'Joe' } }).pass).toBe(false);
  });

  it('drops a payload the expression fails on, marking it as an error with the reason', () => {
    expect(filter('body.department.bu.name == "devp"')(payload)).toEqual({
      pass: false,
      error: true,
      reason:
        'spec.webhook.example.filter: expression "body.department.bu.name == \\"devp\\"": cannot read "name" of nil (in body.department.bu.name)',
    });
    expect(filter('body.name')(payload)).toEqual({
      pass: false,
      error: true,
      reason: 'spec.webhook.example.filter.expression (body.name): gave string "John", not true or false',
    });
    expect(filter('body.id == 4')(['not', 'a', 'map'])).toMatchObject({ pass: false, error: true });
    expect(filter('body.id == 4')('text')).toMatchObject({ pass: false, error: true });
  });

  it('names top-level keys as Argo Events does: "-" becomes "_", dotted keys nest', () => {
    expect(filterEnvironment({ 'x-hub': 1, 'a.b': 2, 'a.c.d': 3, a: 4, ab: 5 })).toEqual({
      x_hub: 1,
      a: { b: 2, c: { d: 3 } },
      ab: 5,
    });
    expect(
      filter('x_request_id == "r1" && meta.region == "eu"')({ 'x-request-id': 'r1', 'meta.region': 'eu' })
        .pass,
    ).toBe(true);
    // Nested keys keep their names.
    expect(filter('body["x-y"] == 1')({ body: { 'x-y': 1 } }).pass).toBe(true);
    // The common payloads are used as they are.
    expect(filterEnvironment(payload)).toBe(payload);
  });

  it('keeps keys such as __proto__ as plain data', () => {
    const env = filterEnvironment(JSON.parse('{"__proto__": {"polluted": true}, "a-b": 1}'));
    expect(Object.keys(env)).toEqual(['__proto__', 'a_b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports problems at load: a missing expression, syntax, and constants that are never true', () => {
    expect(sourceFilterProblems({})).toEqual([
      {
        path: ['expression'],
        message:
          'is required: with no expression Argo Events drops every event; write one, such as body.action == "opened", or remove the filter',
      },
    ]);
    expect(sourceFilterProblems({ expression: 'len(body) > 0' })[0]!.message).toMatch(/function calls/);
    expect(sourceFilterProblems({ expression: '"yes"' })).toEqual([
      { path: ['expression'], message: 'is "yes", which is never true or false' },
    ]);
    expect(sourceFilterProblems({ expression: 'true' })).toEqual([]);
    let err: unknown;
    try {
      filter('body.a +');
    } catch (e) {
      err = e;
    }
    expect(isImpulseError(err, 'INVALID_MANIFEST')).toBe(true);
    expect((err as Error).message).toMatch(/^spec\.webhook\.example\.filter\.expression: invalid expression/);
  });
});
