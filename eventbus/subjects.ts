import { createHash } from 'node:crypto';
import { ImpulseError } from '../core/errors.ts';

/**
 * Subject naming on the bus. Every subject starts with the EventBus name (the stream's only subject
 * filter is `<name>.>`); events go to `<name>.<eventSourceName>.<eventName>` and trigger outcomes to
 * `<name>._outcomes.<sensor>.<trigger>`.
 */

/** The token that groups trigger outcomes; `_` cannot start a Kubernetes name, so no source shadows it. */
export const OUTCOMES_TOKEN = '_outcomes';

// `.` separates tokens, `*` and `>` are wildcards, and whitespace ends a subject in the NATS protocol.
const INVALID_TOKEN = /[.*>\s]/;
// Stream and consumer names also become parts of API subjects and file names on the server.
const INVALID_NAME = /[.*>\s/\\]/;

/** Why `token` cannot be one token of a subject, or undefined if it can. */
export function subjectTokenProblem(token: string): string | undefined {
  if (token.length === 0) return 'must not be empty';
  const bad = INVALID_TOKEN.exec(token);
  if (bad) return `must not contain ${JSON.stringify(bad[0])}`;
  return undefined;
}

/** Whether `token` can be one token of a subject: not empty, no `.`, `*`, `>` or whitespace. */
export function isValidSubjectToken(token: string): boolean {
  return subjectTokenProblem(token) === undefined;
}

/**
 * Throws `INVALID_INPUT` naming `what` (for example `eventSourceName`) when `token` cannot be one
 * token of a subject.
 */
export function assertSubjectToken(token: string, what: string): void {
  const problem = subjectTokenProblem(token);
  if (problem) {
    throw new ImpulseError('INVALID_INPUT', `${what} ${JSON.stringify(token)} ${problem}`, {
      details: { [what]: token },
    });
  }
}

/**
 * Throws `INVALID_INPUT` when `name` cannot be a stream or consumer name: the token rules plus no
 * `/` or `\`.
 */
export function assertStreamName(name: string, what = 'EventBus name'): void {
  assertSubjectToken(name, what);
  const bad = INVALID_NAME.exec(name);
  if (bad) {
    throw new ImpulseError('INVALID_INPUT', `${what} ${JSON.stringify(name)} must not contain ${bad[0]}`, {
      details: { [what]: name },
    });
  }
}

/**
 * Throws `INVALID_INPUT` unless `subject` lies within bus `prefix`: `<prefix>.` and at least one more
 * token, each valid (or, with `wildcards`, `*`, or a final `>`). The stream holds nothing else, and
 * JetStream would answer a publish elsewhere with "no responders", which looks like an outage.
 */
export function assertBusSubject(prefix: string, subject: string, what: string, wildcards: boolean): void {
  const tokens = subject.split('.');
  let problem: string | undefined;
  if (tokens.length < 2 || tokens[0] !== prefix) problem = `is not within the bus (${prefix}.>)`;
  else {
    for (const [i, token] of tokens.entries()) {
      const wildcard = wildcards && (token === '*' || (token === '>' && i === tokens.length - 1));
      const tokenProblem = wildcard ? undefined : subjectTokenProblem(token);
      if (tokenProblem) {
        problem = `has a token that ${tokenProblem}`;
        break;
      }
    }
  }
  if (problem) {
    throw new ImpulseError('INVALID_INPUT', `${what} ${JSON.stringify(subject)} ${problem}`, {
      details: { [what]: subject },
    });
  }
}

/** The subject of an event: `<prefix>.<eventSourceName>.<eventName>`. */
export function eventSubject(prefix: string, eventSourceName: string, eventName: string): string {
  assertSubjectToken(eventSourceName, 'eventSourceName');
  assertSubjectToken(eventName, 'eventName');
  return `${prefix}.${eventSourceName}.${eventName}`;
}

/** The subject of a trigger's outcome events: `<prefix>._outcomes.<sensor>.<trigger>`. */
export function outcomeSubject(prefix: string, sensor: string, trigger: string): string {
  assertSubjectToken(sensor, 'sensor');
  assertSubjectToken(trigger, 'trigger');
  return `${prefix}.${OUTCOMES_TOKEN}.${sensor}.${trigger}`;
}

/** The token of redrive subjects, where `impulse dlq redrive` sends dead letters back to their trigger. */
export const REDRIVE_TOKEN = '_redrive';

/** The subject a trigger reads its redriven dead letters from: `<prefix>._redrive.<sensor>.<trigger>`. */
export function redriveSubject(prefix: string, sensor: string, trigger: string): string {
  assertSubjectToken(sensor, 'sensor');
  assertSubjectToken(trigger, 'trigger');
  return `${prefix}.${REDRIVE_TOKEN}.${sensor}.${trigger}`;
}

/** The subject filter that covers every subject of a bus: `<prefix>.>`. */
export function busSubjects(prefix: string): string {
  return `${prefix}.>`;
}

/**
 * The durable consumer name of one (sensor, trigger, dependency): `impulse-` and 32 hex digits of a
 * SHA-256 of the three. Stable across restarts and releases, and a valid NATS durable name whatever
 * characters the three contain.
 */
export function consumerName(sensor: string, trigger: string, dependency: string): string {
  // JSON keeps the three apart: ("a.b", "c") and ("a", "b.c") hash differently.
  const digest = createHash('sha256')
    .update(JSON.stringify([sensor, trigger, dependency]))
    .digest('hex');
  return `impulse-${digest.slice(0, 32)}`;
}

/**
 * Whether `subject` matches the NATS subject `filter`, where `*` matches one token and a final `>`
 * one or more.
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    const token = f[i];
    if (token === '>') return i === f.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return f.length === s.length;
}
