import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import { createCloudEvent } from '../../eventbus/index.ts';
import { applyParameters, constructPayload, resolveSource } from '../../triggers/index.ts';

const event = createCloudEvent({
  id: 'e1',
  source: 'webhook',
  type: 'webhook',
  subject: 'example',
  data: { body: { message: 'hello world', count: 3, big: 1234567, list: [1, 2], nested: { a: 'b' } } },
});
const events = { dep: event };

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('dataTemplate and contextTemplate (Argo precedence: template, then key, then value)', () => {
  it('renders the data template with .Input as the event data, always as a string', () => {
    expect(
      resolveSource({ dependencyName: 'dep', dataTemplate: '{{ .Input.body.message | upper }}' }, events),
    ).toEqual({ text: 'HELLO WORLD', json: false });
    // Go prints JSON numbers as float64: a big one in exponent form, exactly as Argo Events does.
    expect(
      resolveSource({ dependencyName: 'dep', dataTemplate: '{{ .Input.body.big }}' }, events)?.text,
    ).toBe('1.234567e+06');
    // A template's output is a string even with useRawData (Argo types template results as strings).
    const doc = applyParameters(
      {},
      [
        {
          src: { dependencyName: 'dep', dataTemplate: '{{ toJson .Input.body.list }}', useRawData: true },
          dest: 'x',
        },
      ],
      events,
    );
    expect(doc).toEqual({ x: '[1,2]' });
  });

  it('renders the context template with .Input as the CloudEvent context', () => {
    expect(
      resolveSource(
        { dependencyName: 'dep', contextTemplate: '{{ .Input.source }}/{{ .Input.subject | title }}' },
        events,
      ),
    ).toEqual({ text: 'webhook/Example', json: false });
    // The context has no data: the template prints <no value>, so value is used.
    expect(
      resolveSource({ dependencyName: 'dep', contextTemplate: '{{ .Input.data }}', value: 'v' }, events),
    ).toMatchObject({ text: 'v', json: false });
  });

  it('falls back to the key when the template fails, is empty or prints <no value>', () => {
    for (const dataTemplate of ['{{ .Input.body.missing }}', '{{ "" }}', '{{ eq .Input.body.count 3 }}']) {
      const resolved = resolveSource({ dependencyName: 'dep', dataTemplate, dataKey: 'body.count' }, events);
      expect(resolved).toMatchObject({ text: '3', json: true });
      expect(resolved?.fallback?.[0]).toMatch(/^dataTemplate failed: /);
    }
  });

  it('falls back to value when the template and the key fail, and fails naming both without one', () => {
    expect(
      resolveSource(
        { dependencyName: 'dep', dataTemplate: '{{ .Input.nope }}', dataKey: 'body.nope', value: 'dflt' },
        events,
      ),
    ).toMatchObject({ text: 'dflt', json: false });
    const err = failure(() =>
      resolveSource(
        { dependencyName: 'dep', dataTemplate: '{{ .Input.nope }}', dataKey: 'body.nope' },
        events,
      ),
    );
    expect(isImpulseError(err, 'INVALID_INPUT')).toBe(true);
    expect(err.message).toBe(
      'parameter from dependency "dep": dataTemplate failed: it gave "<no value>"; dataKey "body.nope" does not exist in event e1 and no default value is set',
    );
  });

  it('takes the data side when both data and context fields are set, as Argo Events does', () => {
    expect(
      resolveSource(
        {
          dependencyName: 'dep',
          contextKey: 'type',
          contextTemplate: '{{ .Input.type }}',
          dataKey: 'body.message',
        },
        events,
      ),
    ).toEqual({ text: 'hello world', json: false });
  });

  it('uses value when the dependency has no event in this firing, and skips the parameter without one', () => {
    expect(
      resolveSource({ dependencyName: 'other', dataTemplate: '{{ .Input }}', value: 'v' }, events),
    ).toEqual({
      text: 'v',
      json: false,
    });
    expect(resolveSource({ dependencyName: 'other', dataTemplate: '{{ .Input }}' }, events)).toBeUndefined();
  });

  it('applies templates with append and prepend, and in HTTP payloads', () => {
    const doc = applyParameters(
      { metadata: { generateName: 'build-' } },
      [
        {
          src: { dependencyName: 'dep', dataTemplate: '{{ .Input.body.message | nospace }}-' },
          dest: 'metadata.generateName',
          operation: 'append',
        },
        {
          src: { dependencyName: 'dep', contextTemplate: '{{ .Input.type }}/' },
          dest: 'metadata.generateName',
          operation: 'prepend',
        },
      ],
      events,
    );
    expect(doc).toEqual({ metadata: { generateName: 'webhook/build-helloworld-' } });
    expect(
      constructPayload(
        [
          { src: { dependencyName: 'dep', dataTemplate: '{{ .Input.body.nested.a }}' }, dest: 'a' },
          { src: { dependencyName: 'dep', dataTemplate: '{{ len .Input.body.list }}' }, dest: 'n' },
        ],
        events,
      ),
    ).toBe('{"a":"b","n":"2"}');
    expect(
      constructPayload(
        [{ src: { dependencyName: 'dep', dataTemplate: '{{ toJson .Input.body.nested }}' } }],
        events,
      ),
    ).toBe('{"a":"b"}');
  });
});
