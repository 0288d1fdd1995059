import { describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import {
  assertBusSubject,
  consumerName,
  eventSubject,
  isValidSubjectToken,
  outcomeSubject,
  subjectMatches,
} from '../../eventbus/index.ts';

describe('subjects', () => {
  it('names event and outcome subjects', () => {
    expect(eventSubject('default', 'github', 'push')).toBe('default.github.push');
    expect(outcomeSubject('default', 'deploy', 'sync')).toBe('default._outcomes.deploy.sync');
  });

  it.each(['', 'a.b', 'a*', '>', 'a b', 'tab\there', 'new\nline'])('rejects the token %j', (token) => {
    expect(isValidSubjectToken(token)).toBe(false);
    let err: unknown;
    try {
      eventSubject('default', token, 'push');
    } catch (e) {
      err = e;
    }
    expect(isImpulseError(err, 'INVALID_INPUT')).toBe(true);
  });

  it('accepts Kubernetes names and Argo event names', () => {
    for (const token of ['github', 'my-source', 'example_event', 'Push1'])
      expect(isValidSubjectToken(token)).toBe(true);
  });

  it('names consumers with a stable hash that is a valid durable name', () => {
    const name = consumerName('sensor', 'trigger', 'dep');
    expect(name).toBe(consumerName('sensor', 'trigger', 'dep'));
    expect(name).toMatch(/^impulse-[0-9a-f]{32}$/);
    // Pinned: a changed name would make every sensor start over with "deliver new".
    expect(name).toBe('impulse-e60e02c132c74fd2748dc0f68218b9a6');
    expect(consumerName('a.b', 'c', 'd')).not.toBe(consumerName('a', 'b.c', 'd'));
    expect(consumerName('s', 't', 'd x.*>')).toMatch(/^impulse-[0-9a-f]{32}$/);
  });

  it('matches NATS wildcards', () => {
    expect(subjectMatches('a.*.c', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.*.c', 'a.b.d')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.b', 'a.b.c')).toBe(false);
  });

  it('keeps subjects within the bus', () => {
    expect(() => assertBusSubject('bus', 'bus.src.ev', 'subject', false)).not.toThrow();
    expect(() => assertBusSubject('bus', 'bus.>', 'filterSubject', true)).not.toThrow();
    expect(() => assertBusSubject('bus', 'bus.>', 'subject', false)).toThrow(/must not contain/);
    expect(() => assertBusSubject('bus', 'other.src.ev', 'subject', false)).toThrow(/not within the bus/);
    expect(() => assertBusSubject('bus', 'bus.>.x', 'filterSubject', true)).toThrow();
  });
});
