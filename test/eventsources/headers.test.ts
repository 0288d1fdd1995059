import { describe, expect, it } from 'vitest';
import { canonicalHeaderName, headerMap } from '../../eventsources/index.ts';

describe('canonicalHeaderName (Go textproto.CanonicalMIMEHeaderKey)', () => {
  it.each([
    ['x-github-event', 'X-Github-Event'],
    ['X-GitHub-Delivery', 'X-Github-Delivery'],
    ['CONTENT-TYPE', 'Content-Type'],
    ['content-type', 'Content-Type'],
    ['x-gitlab-event-uuid', 'X-Gitlab-Event-Uuid'],
    ['www-authenticate', 'Www-Authenticate'],
    ['a--b', 'A--B'],
    ['-x', '-X'],
    ['x_custom_header', 'X_custom_header'],
    ['dnt', 'Dnt'],
    ['x-1st-try', 'X-1st-Try'],
  ])('%s -> %s', (name, canonical) => {
    expect(canonicalHeaderName(name)).toBe(canonical);
  });

  it('leaves a name that is not an HTTP token unchanged, as Go does', () => {
    expect(canonicalHeaderName('bad header')).toBe('bad header');
    expect(canonicalHeaderName('x-ü')).toBe('x-ü');
    expect(canonicalHeaderName('')).toBe('');
  });
});

describe('headerMap', () => {
  it('keeps every value of a repeated header, in order, under one canonical name', () => {
    const map = headerMap([
      'x-a',
      '1',
      'Host',
      'h',
      'X-A',
      '2',
      'transfer-encoding',
      'chunked',
      'accept',
      '*/*',
    ]);
    expect(map).toEqual({ 'X-A': ['1', '2'], Accept: ['*/*'] });
  });

  it('treats __proto__ as an ordinary name', () => {
    const map = headerMap(['__proto__', 'x']);
    expect(Object.keys(map)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(map))).toEqual(JSON.parse('{"__proto__":["x"]}'));
  });
});
