import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import type { Sensor, Trigger } from '../../crds/index.ts';
import { createCloudEvent } from '../../eventbus/index.ts';
import { createFiring, executeTrigger, type TriggerContext, triggers } from '../../triggers/index.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';

let sink: HttpSink;
beforeEach(async () => {
  sink = await startHttpSink();
});
afterEach(async () => {
  await sink.close();
});

const sensor = { metadata: { name: 's' }, spec: { dependencies: [], triggers: [] } } as unknown as Sensor;
const firing = createFiring('default', 's', 't', {
  dep: createCloudEvent({
    id: 'e1',
    source: 'webhook',
    type: 'webhook',
    subject: 'example',
    data: { body: { message: 'hi' } },
  }),
});
const secrets = createSecretResolver({
  env: { IMPULSE_SECRET_API_TOKEN: 's3cret', IMPULSE_SECRET_CREDS_USER: 'u', IMPULSE_SECRET_CREDS_PASS: 'p' },
});
const ctx: TriggerContext = {
  signal: new AbortController().signal,
  logger: silentLogger(),
  secrets,
  working: () => undefined,
  emit: async () => undefined,
};

async function run(trigger: Trigger) {
  const driver = triggers.http!({ sensor, trigger, secrets, logger: silentLogger() });
  try {
    return await executeTrigger(trigger, driver, firing, ctx);
  } finally {
    await driver.close?.();
  }
}

function httpTrigger(http: Record<string, unknown>, extra: Partial<Trigger> = {}): Trigger {
  return { template: { name: 't', http: { url: `${sink.url}/hook`, ...http } }, ...extra } as Trigger;
}

async function failure(trigger: Trigger) {
  try {
    await run(trigger);
  } catch (err) {
    return err;
  }
  throw new Error('expected the trigger to fail');
}

describe('http trigger', () => {
  it('sends the payload, the firing id as Idempotency-Key, and the configured headers', async () => {
    await run(
      httpTrigger({
        method: 'PUT',
        headers: { 'X-Team': 'platform' },
        secureHeaders: [
          { name: 'Authorization', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
        ],
        payload: [{ src: { dependencyName: 'dep', dataKey: 'body.message' }, dest: 'text' }],
      }),
    );
    expect(sink.received).toHaveLength(1);
    const [request] = sink.received;
    expect(request).toMatchObject({ method: 'PUT', path: '/hook', json: { text: 'hi' } });
    expect(request!.headers['idempotency-key']).toBe(firing.id);
    expect(request!.headers['x-team']).toBe('platform');
    expect(request!.headers.authorization).toBe('s3cret');
    expect(request!.headers['content-type']).toBe('application/json');
  });

  it('patches its own block with parameters, and sends basic auth', async () => {
    await run(
      httpTrigger({
        basicAuth: { username: { name: 'creds', key: 'user' }, password: { name: 'creds', key: 'pass' } },
        parameters: [
          { src: { dependencyName: 'dep', dataKey: 'body.message' }, dest: 'url', operation: 'append' },
        ],
      }),
    );
    expect(sink.received[0]!.path).toBe('/hookhi');
    expect(sink.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('treats 5xx, 408 and 429 as transient and other 4xx as permanent', async () => {
    for (const [status, code] of [
      [503, 'TRANSIENT'],
      [429, 'TRANSIENT'],
      [408, 'TRANSIENT'],
      [400, 'PERMANENT'],
      [403, 'PERMANENT'],
    ] as const) {
      sink.respond = () => status;
      const error = await failure(httpTrigger({}));
      expect(isImpulseError(error, code)).toBe(true);
      expect((error as Error).message).toContain(`answered ${status}`);
    }
  });

  it('accepts exactly the statuses policy.status.allow lists', async () => {
    sink.respond = () => 404;
    await expect(run(httpTrigger({}, { policy: { status: { allow: [404] } } }))).resolves.toMatchObject({
      status: 'succeeded',
    });
    sink.respond = () => 200;
    const error = await failure(httpTrigger({}, { policy: { status: { allow: [201] } } }));
    expect((error as Error).message).toMatch(
      /answered 200, which policy.status.allow \(201\) does not accept/,
    );
  });

  it('fails transiently when nothing listens, and when the answer is too slow', async () => {
    const refused = await failure({
      template: { name: 't', http: { url: 'http://127.0.0.1:1/x' } },
    } as Trigger);
    expect(isImpulseError(refused, 'TRANSIENT')).toBe(true);
    sink.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 1500));
    const slow = await failure(httpTrigger({ timeout: 1 }));
    expect(isImpulseError(slow, 'TIMEOUT')).toBe(true);
    expect((slow as Error).message).toMatch(/no answer within 1 s/);
  });

  it('names a missing secret at startup', () => {
    const trigger = httpTrigger({
      secureHeaders: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }],
    });
    expect(() => triggers.http!({ sensor, trigger, secrets, logger: silentLogger() })).toThrow(
      /secret nope\/k not found: looked for the environment variable IMPULSE_SECRET_NOPE_K/,
    );
  });
});
