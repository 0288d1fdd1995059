import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../../../core/secrets.ts';
import { createMemoryBus, type EventBus } from '../../../eventbus/index.ts';
import { hmacVerifier } from '../../../eventsources/http/signature.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import { send } from '../http-client.ts';
import { startWebhookFixture, type WebhookConfig, type WebhookFixture } from '../webhook-fixture.ts';

const SECRET = 'shared-hmac-secret';
let bus: EventBus & AsyncDisposable;
const fixtures: WebhookFixture[] = [];

beforeEach(() => {
  bus = createMemoryBus({ name: 'test' });
});
afterEach(async () => {
  await Promise.allSettled(fixtures.splice(0).map((f) => f.close()));
  await bus.close();
});

async function start(hmac: WebhookConfig['hmac'], extra: Partial<WebhookConfig> = {}) {
  const f = await startWebhookFixture({
    bus,
    webhook: { signed: { hmac, ...extra } },
    secrets: createSecretResolver({
      env: { IMPULSE_SECRET_HOOKS_HMAC: `${SECRET}\n`, IMPULSE_SECRET_HOOKS_TOKEN: 't0k' },
    }),
  });
  fixtures.push(f);
  return f;
}

const digest = (algorithm: string, body: string, encoding: 'hex' | 'base64' = 'hex') =>
  createHmac(algorithm, SECRET).update(body).digest(encoding);

describe('webhook source: hmac mode', () => {
  it('accepts a body signed with the shared secret, and refuses 401 unsigned and 403 wrongly signed', async () => {
    const f = await start({
      secret: { name: 'hooks', key: 'hmac' },
      header: 'X-Signature',
      prefix: 'sha256=',
    });
    const body = JSON.stringify({ order: 42 });
    const post = (signature?: string) =>
      send(f.url('signed'), {
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) },
        body,
      });
    const unsigned = await post();
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error).toBe('missing signature header X-Signature');
    expect((await post(`sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`)).status).toBe(
      403,
    );
    expect((await post(digest('sha256', body))).status).toBe(403); // the prefix is part of the format
    expect((await post(`sha256=${digest('sha256', body).slice(0, 40)}`)).status).toBe(403);
    expect((await post(`sha256=${digest('sha256', body)}`)).status).toBe(200);
    await waitFor(() => f.events[0]);
    await staysTrue(() => f.events.length === 1, { forMs: 200, message: 'only the signed request stored' });
    expect((f.events[0]!.data as { body: unknown }).body).toEqual({ order: 42 });
  });

  it('supports sha1 and sha512, base64 digests and no prefix', async () => {
    const f = await start({
      secret: { name: 'hooks', key: 'hmac' },
      header: 'X-Shopify-Hmac-Sha256',
      algorithm: 'sha512',
      encoding: 'base64',
    });
    const body = '{"a":1}';
    const answer = await send(f.url('signed'), {
      headers: {
        'content-type': 'application/json',
        'x-shopify-hmac-sha256': digest('sha512', body, 'base64'),
      },
      body,
    });
    expect(answer.status).toBe(200);
    const sha1 = hmacVerifier(SECRET, { header: 'X', algorithm: 'sha1', prefix: 'sha1=' });
    expect(sha1(Buffer.from(body), `sha1=${digest('sha1', body)}`)).toBe(true);
    expect(sha1(Buffer.from(body), `sha1=${digest('sha1', `${body} `)}`)).toBe(false);
    expect(sha1(Buffer.from(body), 'sha1=zz')).toBe(false);
  });

  it('checks the bearer token first, then the signature', async () => {
    const f = await start(
      { secret: { name: 'hooks', key: 'hmac' }, header: 'X-Signature' },
      { authSecret: { name: 'hooks', key: 'token' } },
    );
    const body = '{"a":1}';
    const noToken = await send(f.url('signed'), {
      headers: { 'content-type': 'application/json', 'x-signature': digest('sha256', body) },
      body,
    });
    expect(noToken.status).toBe(401);
    expect(noToken.json.error).toMatch(/bearer token/);
    const both = await send(f.url('signed'), {
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer t0k',
        'x-signature': digest('sha256', body),
      },
      body,
    });
    expect(both.status).toBe(200);
  });
});
