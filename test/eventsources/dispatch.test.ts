import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { type BusMessage, createMemoryBus, type EventBus } from '../../eventbus/index.ts';
import { createDispatcher, type DispatcherOptions } from '../../eventsources/index.ts';
import { waitFor } from '../support/wait.ts';

let bus: EventBus & AsyncDisposable;
let metrics: Metrics;

beforeEach(() => {
  bus = createMemoryBus({ name: 'bus', maxPayload: 2048 });
  metrics = new Metrics();
});

afterEach(async () => {
  await bus.close();
});

const dispatcher = (extra: Partial<DispatcherOptions> = {}) =>
  createDispatcher({
    bus,
    eventSourceName: 'github-es',
    sourceType: 'github',
    eventName: 'push',
    logger: silentLogger(),
    metrics,
    ...extra,
  });

async function inbox() {
  const sub = await bus.subscribe({ durable: 'reader', filterSubject: 'bus.>' });
  const messages: BusMessage[] = [];
  void (async () => {
    for await (const m of sub) messages.push(m);
  })();
  return { messages, close: () => sub.close() };
}

describe('createDispatcher', () => {
  it('publishes a CloudEvent to <bus>.<eventSourceName>.<eventName> and resolves after the ack', async () => {
    const box = await inbox();
    const time = new Date('2026-01-02T03:04:05.000Z');
    const result = await dispatcher()({ a: 1 }, { id: 'delivery-1', time });
    expect(result).toEqual({ id: 'delivery-1', published: true, duplicate: false });
    const message = await waitFor(() => box.messages[0]);
    expect(message.subject).toBe('bus.github-es.push');
    expect(message.event).toEqual({
      specversion: '1.0',
      id: 'delivery-1',
      source: 'github-es',
      type: 'github',
      subject: 'push',
      time: '2026-01-02T03:04:05.000Z',
      datacontenttype: 'application/json',
      data: { a: 1 },
    });
    await box.close();
  });

  it('stores a redelivered id once: the message id is <eventSourceName>/<eventName>/<id>', async () => {
    const dispatch = dispatcher();
    await dispatch({}, { id: 'same' });
    expect(await dispatch({}, { id: 'same' })).toMatchObject({ duplicate: true });
    // Another event with the same provider id is a different message.
    expect(await dispatcher({ eventName: 'pr' })({}, { id: 'same' })).toMatchObject({ duplicate: false });
  });

  it('gives events without an id a UUIDv7', async () => {
    const { id } = await dispatcher()({});
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('refuses an event over the bus’s max_payload before sending, naming both sizes', async () => {
    const err = await dispatcher()({ pad: 'x'.repeat(3000) }).catch((e: unknown) => e);
    expect(isImpulseError(err, 'PAYLOAD_TOO_LARGE')).toBe(true);
    expect((err as Error).message).toMatch(
      /^event of \d+ bytes exceeds the bus's max_payload of 2048 bytes$/,
    );
    expect((err as { details: unknown }).details).toMatchObject({ maxPayload: 2048 });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'argo_events_events_sent_failed_total{eventsource_name="github-es",event_name="push"} 1',
    );
  });

  it('publishes only payloads its filter passes, and says which it dropped', async () => {
    const box = await inbox();
    const dispatch = dispatcher({ filter: { expression: 'body.a == 1' } });
    expect(await dispatch({ body: { a: 2 } }, { id: 'dropped' })).toEqual({
      id: 'dropped',
      published: false,
      duplicate: false,
    });
    // A filter that fails on a payload (a field of nil) drops it too.
    expect(await dispatch({ other: true }, { id: 'broken' })).toMatchObject({ published: false });
    expect(await dispatch({ body: { a: 1 } }, { id: 'kept' })).toMatchObject({ published: true });
    const message = await waitFor(() => box.messages[0]);
    expect(message.event.id).toBe('kept');
    expect(box.messages).toHaveLength(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('argo_events_events_sent_total{eventsource_name="github-es",event_name="push"} 1');
    await box.close();
  });

  it('refuses a filter that does not compile when it is created', () => {
    expect(() => dispatcher({ filter: { expression: 'len(body) > 1' } })).toThrow(
      /^spec\.github\.push\.filter\.expression: invalid expression "len\(body\) > 1": function calls/,
    );
    expect(() => dispatcher({ filter: {} })).toThrow(/spec\.github\.push\.filter\.expression: is required/);
  });

  it('passes the bus’s refusal on (here: closed) and counts the failure', async () => {
    await bus.close();
    const err = await dispatcher()({}).catch((e: unknown) => e);
    expect(isImpulseError(err, 'CLOSED')).toBe(true);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'argo_events_events_sent_failed_total{eventsource_name="github-es",event_name="push"} 1',
    );
  });
});
