import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import { createCloudEvent } from '../../eventbus/index.ts';
import { applyParameters, constructPayload, resolveSource, setAtPath } from '../../triggers/index.ts';

const event = createCloudEvent({
  id: 'e1',
  source: 'webhook',
  type: 'webhook',
  subject: 'example',
  data: { body: { message: 'hi', count: 3, ok: true, list: [1, 2], nested: { a: 'b' } } },
});
const events = { dep: event };

describe('setAtPath (sjson)', () => {
  it('creates objects and arrays on the way', () => {
    expect(setAtPath(undefined, 'a.b', 1)).toEqual({ a: { b: 1 } });
    expect(setAtPath(undefined, 'a.0.b', 1)).toEqual({ a: [{ b: 1 }] });
    expect(setAtPath({ a: [1, 2] }, 'a.-1', 3)).toEqual({ a: [1, 2, 3] });
    expect(setAtPath({ a: [1] }, 'a.3', 4)).toEqual({ a: [1, null, null, 4] });
  });

  it('escapes dots in keys and leaves the input alone', () => {
    const input = { x: { y: 1 } };
    expect(setAtPath(input, 'x.app\\.kubernetes\\.io/name', 'n')).toEqual({
      x: { y: 1, 'app.kubernetes.io/name': 'n' },
    });
    expect(input).toEqual({ x: { y: 1 } });
  });

  it('refuses prototype keys and setting inside a scalar', () => {
    expect(() => setAtPath({}, '__proto__.polluted', 1)).toThrow(/cannot be set/);
    expect(() => setAtPath({ a: 'text' }, 'a.b', 1)).toThrow(/cannot set "b" inside a string/);
  });
});

describe('resolveSource', () => {
  it('reads data and context keys, strings raw and other values as JSON text', () => {
    expect(resolveSource({ dependencyName: 'dep', dataKey: 'body.message' }, events)).toEqual({
      text: 'hi',
      json: false,
    });
    expect(resolveSource({ dependencyName: 'dep', dataKey: 'body.count' }, events)).toEqual({
      text: '3',
      json: true,
    });
    expect(resolveSource({ dependencyName: 'dep', dataKey: 'body.nested' }, events)).toEqual({
      text: '{"a":"b"}',
      json: true,
    });
    expect(resolveSource({ dependencyName: 'dep', contextKey: 'id' }, events)).toEqual({
      text: 'e1',
      json: false,
    });
  });

  it('falls back to value when the key is missing, and fails without one', () => {
    expect(resolveSource({ dependencyName: 'dep', dataKey: 'body.nope', value: 'dflt' }, events)).toEqual({
      text: 'dflt',
      json: false,
      fallback: ['dataKey "body.nope" does not exist in event e1'],
    });
    let error: unknown;
    try {
      resolveSource({ dependencyName: 'dep', dataKey: 'body.nope' }, events);
    } catch (err) {
      error = err;
    }
    expect(isImpulseError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toBe(
      'parameter from dependency "dep": dataKey "body.nope" does not exist in event e1 and no default value is set',
    );
  });

  it('uses value alone, or the whole event, when no key is given', () => {
    expect(resolveSource({ dependencyName: 'dep', value: 'v' }, events)).toEqual({ text: 'v', json: false });
    const whole = resolveSource({ dependencyName: 'dep' }, events)!;
    expect(JSON.parse(whole.text)).toMatchObject({
      context: { id: 'e1', source: 'webhook' },
      data: event.data,
    });
  });

  it('skips a dependency that has no event in this firing unless a value is given', () => {
    expect(resolveSource({ dependencyName: 'other', dataKey: 'x' }, events)).toBeUndefined();
    expect(resolveSource({ dependencyName: 'other', dataKey: 'x', value: 'v' }, events)).toEqual({
      text: 'v',
      json: false,
    });
  });
});

describe('applyParameters and constructPayload', () => {
  it('sets strings unless useRawData keeps the JSON type', () => {
    const doc = applyParameters(
      {},
      [
        { src: { dependencyName: 'dep', dataKey: 'body.count' }, dest: 'asString' },
        { src: { dependencyName: 'dep', dataKey: 'body.count', useRawData: true }, dest: 'asNumber' },
        { src: { dependencyName: 'dep', dataKey: 'body.list', useRawData: true }, dest: 'list' },
      ],
      events,
    );
    expect(doc).toEqual({ asString: '3', asNumber: 3, list: [1, 2] });
  });

  it('appends and prepends to the string already there', () => {
    const doc = applyParameters(
      { name: 'build' },
      [
        { src: { dependencyName: 'dep', dataKey: 'body.message' }, dest: 'name', operation: 'append' },
        { src: { dependencyName: 'dep', value: 'x-' }, dest: 'name', operation: 'prepend' },
      ],
      events,
    );
    expect(doc).toEqual({ name: 'x-buildhi' });
  });

  it('builds a body, and an empty dest makes the value the whole body', () => {
    expect(
      constructPayload([{ src: { dependencyName: 'dep', dataKey: 'body.message' }, dest: 'm' }], events),
    ).toBe('{"m":"hi"}');
    expect(
      constructPayload([{ src: { dependencyName: 'dep', dataKey: 'body.nested' }, dest: '' }], events),
    ).toBe('{"a":"b"}');
    expect(constructPayload([], events)).toBeUndefined();
  });
});
