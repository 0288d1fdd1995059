import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../../core/secrets.ts';
import { createMemoryBus, type EventBus } from '../../eventbus/index.ts';
import { MASKED_AUTHORIZATION, type WebhookPayload } from '../../eventsources/index.ts';
import { freePort } from '../support/ports.ts';
import { waitFor, within } from '../support/wait.ts';
import { postJson, send } from './http-client.ts';
import {
  type BusDouble,
  busDouble,
  gate,
  startWebhookFixture,
  unavailable,
  type WebhookFixture,
} from './webhook-fixture.ts';

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let inner: EventBus & AsyncDisposable;
let bus: BusDouble;
const fixtures: WebhookFixture[] = [];

beforeEach(() => {
  inner = createMemoryBus({ name: 'test' });
  bus = busDouble(inner);
});

afterEach(async () => {
  await Promise.allSettled(fixtures.splice(0).map((f) => f.close()));
  await inner.close();
});

async function start(
  webhook: Parameters<typeof startWebhookFixture>[0]['webhook'],
  secrets?: Record<string, string>,
) {
  const fixture = await startWebhookFixture({
    bus,
    webhook,
    ...(secrets ? { secrets: createSecretResolver({ env: secrets }) } : {}),
  });
  fixtures.push(fixture);
  return fixture;
}

const dataOf = (f: WebhookFixture, i = 0) => f.events[i]?.data as WebhookPayload;

describe('webhook source: accepted requests', () => {
  it('answers 200 with the event id once the event is on the bus, in Argo’s payload shape', async () => {
    const f = await start({ example: { metadata: { team: 'a' } } });
    const answer = await postJson(f.url('example'), { hello: 'world', n: 1 }, { 'x-github-event': 'push' });
    expect(answer.status).toBe(200);
    expect(answer.json.id).toMatch(UUIDV7);
    // A 2xx means stored: the event is on the bus already, not merely on its way.
    const event = await waitFor(() => f.events[0]);
    expect(event).toMatchObject({
      specversion: '1.0',
      id: answer.json.id,
      type: 'webhook',
      source: f.name,
      subject: 'example',
      datacontenttype: 'application/json',
    });
    expect(Date.parse(event.time)).not.toBeNaN();
    const data = dataOf(f);
    expect(data.body).toEqual({ hello: 'world', n: 1 });
    expect(data.metadata).toEqual({ team: 'a' });
    expect(data.header['X-Github-Event']).toEqual(['push']);
    expect(data.header['Content-Type']).toEqual(['application/json']);
  });

  it('keys headers by their Go-canonical names with every value, as Argo Events does', async () => {
    const f = await start({ example: {} });
    const answer = await send(f.url('example'), {
      headers: [
        ['content-type', 'application/json'],
        ['x-custom-THING', 'one'],
        ['x-custom-THING', 'two'],
        ['x-REQUEST-id', 'abc'],
      ],
      body: '{}',
    });
    expect(answer.status).toBe(200);
    await waitFor(() => f.events.length === 1);
    const { header, metadata } = dataOf(f);
    expect(header['X-Custom-Thing']).toEqual(['one', 'two']);
    expect(header['X-Request-Id']).toEqual(['abc']);
    expect(
      Object.keys(header).every((name) => name === name.replace(/(^|-)[a-z]/g, (m) => m.toUpperCase())),
    ).toBe(true);
    // Go moves Host out of the header map; Argo payloads never carry it.
    expect(header.Host).toBeUndefined();
    // No metadata configured: the key is left out (Argo's omitempty).
    expect(metadata).toBeUndefined();
  });

  it('maps a GET query to the body as {name: [values]}', async () => {
    const f = await start({ hook: { method: 'GET' } });
    const answer = await send(f.url('hook', '/hook?a=1&a=2&b=x%20y'), { method: 'GET' });
    expect(answer.status).toBe(200);
    await waitFor(() => f.events.length === 1);
    expect(dataOf(f).body).toEqual({ a: ['1', '2'], b: ['x y'] });
  });

  it('maps a form-urlencoded POST to the body as {name: [values]}', async () => {
    const f = await start({ form: {} });
    const answer = await send(f.url('form'), {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'name=Ada+Lovelace&tag=a&tag=b&__proto__=x',
    });
    expect(answer.status).toBe(200);
    await waitFor(() => f.events.length === 1);
    expect(dataOf(f).body).toEqual({ name: ['Ada Lovelace'], tag: ['a', 'b'], ['__proto__']: ['x'] });
  });

  it('reads a body without a content type, or with another one, as JSON', async () => {
    const f = await start({ example: {} });
    expect((await send(f.url('example'), { body: '[1,2]' })).status).toBe(200);
    expect(
      (await send(f.url('example'), { headers: { 'content-type': 'text/plain' }, body: '"s"' })).status,
    ).toBe(200);
    await waitFor(() => f.events.length === 2);
    expect(f.events.map((e) => (e.data as WebhookPayload).body)).toEqual([[1, 2], 's']);
  });

  it('serves every event of a port from one server, and each port its own events', async () => {
    const port = String(await freePort());
    const f = await start({ a: { port }, b: { port, method: 'PUT' }, c: {} });
    expect(new URL(f.url('c')).port).not.toBe(port);
    expect((await postJson(f.url('a'), { to: 'a' })).status).toBe(200);
    expect((await send(f.url('b'), { method: 'PUT', body: '{"to":"b"}' })).status).toBe(200);
    expect((await postJson(f.url('c'), { to: 'c' })).status).toBe(200);
    await waitFor(() => f.events.length === 3);
    expect(f.events.map((e) => [e.subject, (e.data as WebhookPayload).body])).toEqual([
      ['a', { to: 'a' }],
      ['b', { to: 'b' }],
      ['c', { to: 'c' }],
    ]);
    // The shared port knows both endpoints: /b is there, but not for POST.
    expect((await postJson(`http://127.0.0.1:${port}/b`, {})).headers.allow).toBe('PUT');
  });

  it('takes an endpoint literally, colons included', async () => {
    const f = await start({ odd: { endpoint: '/hooks/team:a' } });
    expect((await postJson(f.url('odd'), {})).status).toBe(200);
    expect((await postJson(f.url('odd', '/hooks/anything'), {})).status).toBe(404);
  });

  it('handles 50 requests to one route concurrently and stores every one', async () => {
    const f = await start({ example: {} });
    const held = gate(bus, inner);
    const answers = Array.from({ length: 50 }, (_, i) => postJson(f.url('example'), { i }));
    // All 50 publishes are waiting at once: no request waited for another to finish.
    await waitFor(() => held.pending === 50, { message: '50 publishes in flight at once' });
    held.release();
    const results = await Promise.all(answers);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    await waitFor(() => f.events.length === 50);
    expect(new Set(f.events.map((e) => (e.data as { body: { i: number } }).body.i)).size).toBe(50);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(50);
  });

  it('counts sent and failed events with Argo Events’ metric names', async () => {
    const f = await start({ example: {} });
    await postJson(f.url('example'), {});
    bus.publishWith(unavailable);
    await postJson(f.url('example'), {});
    await send(f.url('example'), { body: '{' });
    const text = await f.metrics.registry.metrics();
    const labels = `eventsource_name="${f.name}",event_name="example"`;
    expect(text).toContain(`argo_events_events_sent_total{${labels}} 1`);
    expect(text).toContain(`argo_events_events_sent_failed_total{${labels}} 1`);
    expect(text).toContain(`argo_events_events_processing_failed_total{${labels}} 1`);
    expect(text).toContain(`argo_events_event_processing_duration_milliseconds_count{${labels}} 1`);
  });
});

describe('webhook source: refused requests', () => {
  it('answers 400 to a body that is not JSON, saying where it failed', async () => {
    const f = await start({ example: {} });
    const answer = await send(f.url('example'), {
      headers: { 'content-type': 'application/json' },
      body: '{"a":1,}',
    });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/application\/json/);
    expect(answer.json.error).toMatch(/not valid JSON.*position 7/);
    expect(f.events).toEqual([]);
  });

  it('answers 400 to an empty body, as Argo Events does', async () => {
    const f = await start({ example: {} });
    const answer = await send(f.url('example'), { headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/body is empty/);
  });

  it('answers 415 with a clear message for a Content-Type that is not a media type', async () => {
    const f = await start({ example: {} });
    const answer = await send(f.url('example'), { headers: { 'content-type': 'json' }, body: '{}' });
    expect(answer.status).toBe(415);
    expect(answer.json.error).toMatch(/Content-Type "json" is not a valid media type/);
  });

  describe('with authSecret', () => {
    const secrets = { IMPULSE_SECRET_HOOK_TOKEN: 's3cret-token\n' };
    const config = { authSecret: { name: 'hook', key: 'token' } };

    it('answers 401 without a bearer token', async () => {
      const f = await start({ example: config }, secrets);
      const answer = await postJson(f.url('example'), {});
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(answer.json.error).toMatch(/missing bearer token/);
      const basic = await postJson(f.url('example'), {}, { authorization: 'Basic czNjcmV0LXRva2Vu' });
      expect(basic.status).toBe(401);
    });

    it('answers 401 to a wrong token, whatever its length', async () => {
      const f = await start({ example: config }, secrets);
      for (const token of ['nope', 's3cret-tokem', 's3cret-token-and-more', '']) {
        const answer = await postJson(f.url('example'), {}, { authorization: `Bearer ${token}` });
        expect(answer.status).toBe(401);
      }
      expect(f.events).toEqual([]);
    });

    it('accepts the right token and masks the Authorization header in the payload', async () => {
      const f = await start({ example: config }, secrets);
      const answer = await postJson(f.url('example'), { ok: true }, { authorization: 'Bearer s3cret-token' });
      expect(answer.status).toBe(200);
      await waitFor(() => f.events.length === 1);
      expect(dataOf(f).header.Authorization).toEqual([MASKED_AUTHORIZATION]);
      expect(JSON.stringify(f.events[0])).not.toContain('s3cret');
    });
  });

  it('masks an Authorization header even without authSecret', async () => {
    const f = await start({ example: {} });
    await postJson(f.url('example'), {}, { authorization: 'Bearer someone-elses-token' });
    await waitFor(() => f.events.length === 1);
    expect(dataOf(f).header.Authorization).toEqual([MASKED_AUTHORIZATION]);
  });

  it('answers 404 naming the path for an unknown endpoint', async () => {
    const f = await start({ example: {} });
    const answer = await postJson(f.url('example', '/nowhere?x=1'), {});
    expect(answer.status).toBe(404);
    expect(answer.json.error).toContain('/nowhere');
  });

  it('answers 405 with Allow for a known endpoint and another method', async () => {
    const f = await start({ example: {} });
    const answer = await send(f.url('example'), { method: 'GET' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
    expect(answer.json.error).toMatch(/GET is not allowed on \/example/);
    const big = await send(f.url('example'), { method: 'PUT', body: 'x'.repeat(200_000) });
    expect(big.status).toBe(405);
  });

  it('answers 413 naming the limit for a body over maxPayloadSize', async () => {
    const f = await start({ example: { maxPayloadSize: 1000 } });
    const answer = await postJson(f.url('example'), { pad: 'x'.repeat(2000) });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ maxPayloadSize: 1000 });
    expect(answer.json.error).toMatch(/maxPayloadSize of 1000 bytes/);
    expect((await postJson(f.url('example'), { pad: 'x'.repeat(900) })).status).toBe(200);
    expect(f.events.length).toBeLessThanOrEqual(1);
  });

  it('answers 413 naming both limits when the event would exceed the bus’s max_payload', async () => {
    inner = createMemoryBus({ name: 'test', maxPayload: 4096 });
    bus = busDouble(inner);
    const f = await start({ example: {} });
    const answer = await postJson(f.url('example'), { pad: 'x'.repeat(5000) });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ maxPayloadSize: 1024 * 1024, busMaxPayload: 4096 });
    expect(answer.json.error).toMatch(/max_payload of 4096 bytes/);
    expect(answer.json.error).toMatch(/maxPayloadSize is 1048576 bytes/);
  });

  it('answers 503 with Retry-After when the bus cannot take the event, and 200 once it can', async () => {
    const f = await start({ example: {} });
    bus.publishWith(unavailable);
    const refused = await postJson(f.url('example'), { n: 1 });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json.error).toMatch(/retry later/);
    bus.publishWith(undefined);
    expect((await postJson(f.url('example'), { n: 2 })).status).toBe(200);
    await waitFor(() => f.events.length === 1);
    expect(dataOf(f).body).toEqual({ n: 2 });
  });

  it('answers 500 and keeps serving when something unexpected fails', async () => {
    const f = await start({ example: {} });
    bus.publishWith(() => Promise.reject(new TypeError('boom')));
    const answer = await postJson(f.url('example'), {});
    expect(answer.status).toBe(500);
    expect(answer.text).not.toContain('boom');
    bus.publishWith(undefined);
    expect((await postJson(f.url('example'), {})).status).toBe(200);
  });
});

describe('webhook source: health and shutdown', () => {
  it('answers GET /health on every port: 200 while the bus is connected, else 503', async () => {
    const f = await start({ example: {} });
    expect((await send(f.url('example', '/health'), { method: 'GET' })).status).toBe(200);
    bus.connectedOverride = false;
    const down = await send(f.url('example', '/health'), { method: 'GET' });
    expect(down.status).toBe(503);
    expect(f.handle.health().ok).toBe(false);
    bus.connectedOverride = undefined;
    expect(f.handle.health()).toMatchObject({
      ok: true,
      detail: { state: 'running', events: { 'webhook.example': 'ready' } },
    });
  });

  it('on close, stops intake but answers the requests in flight once the bus acks them', async () => {
    const f = await start({ example: {} });
    const held = gate(bus, inner);
    const inFlight = postJson(f.url('example'), { last: true });
    await waitFor(() => held.pending === 1);
    const closing = f.handle.close();
    await waitFor(() => f.handle.state === 'draining');
    // Closing waits for the request; new requests are no longer taken.
    const late = await send(f.url('example'), { body: '{}' });
    expect(late.status).toBe(503);
    expect(late.headers['retry-after']).toBeDefined();
    expect(f.handle.state).toBe('draining');
    held.release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    await within(closing, 5000, 'close()');
    expect(f.handle.state).toBe('closed');
    await f.handle.closed;
    await waitFor(() => f.events.length === 1);
    // The port is free again.
    expect(await send(f.url('example'), { body: '{}' }).catch((err: NodeJS.ErrnoException) => err.code)).toBe(
      'ECONNREFUSED',
    );
    // Closing twice is fine.
    await f.handle.close();
  });
});
