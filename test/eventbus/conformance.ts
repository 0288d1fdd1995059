import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import {
  type BusMessage,
  createCloudEvent,
  type EventBus,
  eventSubject,
  messageId,
  type Subscription,
} from '../../eventbus/index.ts';
import { waitFor } from '../support/wait.ts';

/** A bus for one test, and what removes its traces afterwards (the suite closes the bus first). */
export interface BusUnderTest {
  bus: EventBus;
  cleanup?(): Promise<void>;
}

/**
 * What every EventBus driver must do. `makeBus` returns a fresh bus per test; KV buckets the suite
 * opens are named `<bus name>-<suffix>`, so a fixture can find and remove them.
 */
export function runBusConformance(name: string, makeBus: () => Promise<BusUnderTest>): void {
  describe(`EventBus conformance: ${name}`, () => {
    const ACK_WAIT_MS = 1000;
    let bus: EventBus;
    let cleanup: (() => Promise<void>) | undefined;
    const open: Subscription[] = [];

    beforeEach(async () => {
      ({ bus, cleanup } = await makeBus());
    });

    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((s) => s.close()));
      await bus.close();
      await cleanup?.();
    });

    const subject = () => eventSubject(bus.name, 'src', 'ev');
    const publish = (id: string, data: unknown = { id }) =>
      bus.publish(subject(), createCloudEvent({ id, source: 'src', type: 'webhook', subject: 'ev', data }), {
        msgId: messageId('src', 'ev', id),
      });
    async function subscribe(durable = `d${randomUUID().slice(0, 8)}`, ackWaitMs = ACK_WAIT_MS) {
      const sub = await bus.subscribe({ durable, filterSubject: subject(), ackWaitMs });
      open.push(sub);
      return reader(sub);
    }

    it('delivers a published event with its attributes', async () => {
      const inbox = await subscribe();
      const ack = await publish('e1', { hello: 'world' });
      expect(ack).toMatchObject({ duplicate: false });
      expect(ack.seq).toBeGreaterThan(0);
      const msg = await inbox.next();
      expect(msg.subject).toBe(subject());
      expect(msg.seq).toBe(ack.seq);
      expect(msg.deliveryCount).toBe(1);
      expect(msg.event).toMatchObject({
        specversion: '1.0',
        id: 'e1',
        source: 'src',
        type: 'webhook',
        subject: 'ev',
      });
      expect(msg.event.data).toEqual({ hello: 'world' });
      await msg.ack();
    });

    it('stores a duplicate message id once', async () => {
      const inbox = await subscribe();
      const first = await publish('dup');
      const second = await publish('dup');
      expect(second).toEqual({ ...first, duplicate: true });
      await publish('after');
      expect((await inbox.next()).event.id).toBe('dup');
      expect((await inbox.next()).event.id).toBe('after');
    });

    it('reads a stored event back by its sequence', async () => {
      const ack = await publish('by-seq', { n: 7 });
      const event = await bus.getEvent(ack.seq);
      expect(event).toMatchObject({ id: 'by-seq', source: 'src', subject: 'ev', data: { n: 7 } });
      expect(await bus.getEvent(ack.seq + 1000)).toBeUndefined();
    });

    it('starts a new durable at new messages', async () => {
      await publish('before');
      const inbox = await subscribe();
      await publish('after');
      expect((await inbox.next()).event.id).toBe('after');
    });

    it('resumes a durable where it stopped', async () => {
      const first = await subscribe('resumer');
      await publish('one');
      await (await first.next()).ack();
      await first.close();
      await publish('two');
      const second = await subscribe('resumer');
      const msg = await second.next();
      expect(msg.event.id).toBe('two');
      expect(msg.deliveryCount).toBe(1);
    });

    it('redelivers after nak, counting deliveries', async () => {
      const inbox = await subscribe();
      await publish('n1');
      const first = await inbox.next();
      first.nak();
      const again = await inbox.next();
      expect(again.event.id).toBe('n1');
      expect(again.deliveryCount).toBe(2);
      await again.ack();
    });

    it('redelivers after a nak delay', async () => {
      const inbox = await subscribe();
      await publish('late');
      const first = await inbox.next();
      const nakedAt = Date.now();
      first.nak(400);
      const again = await inbox.next();
      expect(Date.now() - nakedAt).toBeGreaterThanOrEqual(300);
      expect(again.deliveryCount).toBe(2);
    });

    it('redelivers what is not acked within the ack wait', async () => {
      const inbox = await subscribe();
      await publish('slow');
      expect((await inbox.next()).deliveryCount).toBe(1);
      const again = await inbox.next();
      expect(again.event.id).toBe('slow');
      expect(again.deliveryCount).toBe(2);
    });

    // A nak'ed sentinel comes back after the ack wait has passed; had the first message not been
    // settled, it would come back before it.
    it('does not redeliver an acked message', async () => {
      const inbox = await subscribe();
      await publish('done');
      await publish('sentinel');
      await (await inbox.next()).ack();
      (await inbox.next()).nak(ACK_WAIT_MS + 500);
      const next = await inbox.next();
      expect(next.event.id).toBe('sentinel');
      expect(next.deliveryCount).toBe(2);
    });

    it('keeps a message in work from redelivery', async () => {
      const inbox = await subscribe();
      await publish('busy');
      await publish('sentinel');
      const busy = await inbox.next();
      const heartbeat = setInterval(() => busy.working(), ACK_WAIT_MS / 4);
      try {
        (await inbox.next()).nak(ACK_WAIT_MS * 2);
        expect((await inbox.next(ACK_WAIT_MS * 4)).event.id).toBe('sentinel');
      } finally {
        clearInterval(heartbeat);
      }
      await busy.ack();
    });

    it('does not redeliver a terminated message', async () => {
      const inbox = await subscribe();
      await publish('poison');
      await publish('sentinel');
      (await inbox.next()).term('poison');
      (await inbox.next()).nak(ACK_WAIT_MS + 500);
      expect((await inbox.next()).event.id).toBe('sentinel');
    });

    it('stops delivering a message after maxDeliver deliveries', async () => {
      const sub = await bus.subscribe({
        durable: 'limited',
        filterSubject: subject(),
        ackWaitMs: ACK_WAIT_MS,
        maxDeliver: 2,
      });
      open.push(sub);
      const inbox = reader(sub);
      await publish('doomed');
      await publish('sentinel');
      const counts: number[] = [];
      for (;;) {
        const msg = await inbox.next();
        if (msg.event.id === 'doomed') {
          counts.push(msg.deliveryCount);
          msg.nak();
        } else if (msg.deliveryCount === 1) msg.nak(ACK_WAIT_MS);
        else break;
      }
      expect(counts).toEqual([1, 2]);
    });

    it('gives each durable on a subject its own copy', async () => {
      const a = await subscribe('left');
      const b = await subscribe('right');
      await publish('both');
      await (await a.next()).ack();
      const msg = await b.next();
      expect(msg.event.id).toBe('both');
      expect(msg.deliveryCount).toBe(1);
    });

    it('ends a subscription when its signal aborts', async () => {
      const controller = new AbortController();
      const sub = await bus.subscribe({
        durable: 'aborted',
        filterSubject: subject(),
        ackWaitMs: ACK_WAIT_MS,
        signal: controller.signal,
      });
      const inbox = reader(sub);
      controller.abort();
      await inbox.done;
      expect(inbox.received).toEqual([]);
    });

    it('keeps JSON values in KV with compare-and-set', async () => {
      const kv = await bus.kv(`${bus.name}-kv`);
      expect(await kv.get('missing')).toBeNull();
      const r1 = await kv.put('a.one', { n: 1 });
      expect(await kv.get('a.one')).toEqual({ key: 'a.one', value: { n: 1 }, revision: r1 });
      await expectCode(kv.create('a.one', { n: 2 }), 'INVALID_STATE');
      const r2 = await kv.update('a.one', { n: 2 }, r1);
      expect(r2).toBeGreaterThan(r1);
      await expectCode(kv.update('a.one', { n: 3 }, r1), 'INVALID_STATE');
      expect((await kv.get<{ n: number }>('a.one'))?.value.n).toBe(2);
      await kv.create('a.two', 'second');
      await kv.put('b.three', [3]);
      expect(await kv.keys()).toEqual(['a.one', 'a.two', 'b.three']);
      expect(await kv.keys('a.')).toEqual(['a.one', 'a.two']);
      await kv.delete('a.one');
      expect(await kv.get('a.one')).toBeNull();
      expect(await kv.keys('a.')).toEqual(['a.two']);
      await kv.create('a.one', { n: 4 });
      expect((await kv.get<{ n: number }>('a.one'))?.value.n).toBe(4);
      await expectCode(kv.put('bad key', 1), 'INVALID_INPUT');
    });

    it('shares a bucket between handles', async () => {
      const first = await bus.kv(`${bus.name}-shared`);
      const second = await bus.kv(`${bus.name}-shared`);
      const revision = await first.put('k', 'v');
      expect(await second.get('k')).toEqual({ key: 'k', value: 'v', revision });
    });

    it('deletes a durable, which then starts again at new messages', async () => {
      const first = await subscribe('recreated');
      await publish('one');
      await (await first.next()).ack();
      await first.close();
      await publish('missed');
      expect(await bus.deleteConsumer('recreated')).toBe(true);
      expect(await bus.deleteConsumer('recreated')).toBe(false);
      const second = await subscribe('recreated');
      await publish('fresh');
      expect((await second.next()).event.id).toBe('fresh');
    });

    it('keeps dead letters until removed, once per dedup id, filtered by sensor', async () => {
      const dlq = await bus.deadLetters();
      const event = createCloudEvent({
        id: 'e1',
        source: 'src',
        type: 'webhook',
        subject: 'ev',
        data: { n: 1 },
      });
      const letter = (sensor: string) => ({
        namespace: 'default',
        sensor,
        trigger: 'call',
        firingId: `f-${sensor}`,
        events: { a: event },
        refs: { a: { id: 'e1', seq: 1 } },
        error: { code: 'PERMANENT', message: 'answered 400' },
        attempts: 3,
        reason: 'failed' as const,
      });
      const first = await dlq.add(letter('s1'), { dedupId: 'f-s1/1' });
      const again = await dlq.add(letter('s1'), { dedupId: 'f-s1/1' });
      expect(again.id).toBe(first.id);
      const second = await dlq.add(letter('s2'), { dedupId: 'f-s2/1' });
      expect((await dlq.list()).map((l) => l.id)).toEqual([first.id, second.id]);
      const [only] = await dlq.list({ sensor: 's1' });
      expect(only).toMatchObject({ ...letter('s1'), id: first.id });
      expect(Number.isNaN(Date.parse(only!.at))).toBe(false);
      expect(await dlq.remove(first.id)).toBe(true);
      expect(await dlq.remove(first.id)).toBe(false);
      expect((await dlq.list()).map((l) => l.sensor)).toEqual(['s2']);
      expect(await (await bus.deadLetters()).list({ sensor: 's2', trigger: 'other' })).toEqual([]);
    });

    it('rejects an event larger than maxPayload without storing it', async () => {
      expect(bus.maxPayload).toBeGreaterThan(0);
      const err = await publish('big', 'x'.repeat(bus.maxPayload)).catch((e: unknown) => e);
      expect(isImpulseError(err, 'PAYLOAD_TOO_LARGE')).toBe(true);
      expect(isImpulseError(err) && err.details).toMatchObject({ maxPayload: bus.maxPayload });
    });

    it('refuses subjects outside the bus or with wildcards', async () => {
      const event = createCloudEvent({ source: 'src', type: 'webhook', subject: 'ev', data: null });
      for (const bad of [`${bus.name}x.src.ev`, bus.name, `${bus.name}.src.*`, `${bus.name}.a b.ev`]) {
        await expectCode(bus.publish(bad, event, { msgId: 'x' }), 'INVALID_INPUT');
      }
      const subscribe = (filterSubject: string) => bus.subscribe({ durable: 'outside', filterSubject });
      await expectCode(subscribe('elsewhere.>'), 'INVALID_INPUT');
      open.push(await subscribe(`${bus.name}.*.ev`));
    });

    it('closes twice and refuses work afterwards', async () => {
      expect(bus.connected).toBe(true);
      const inbox = await subscribe();
      await Promise.all([bus.close(), bus.close()]);
      await bus.close();
      expect(bus.connected).toBe(false);
      await inbox.done;
      await expectCode(publish('late'), 'CLOSED');
      await expectCode(bus.kv(`${bus.name}-kv`), 'CLOSED');
    });
  });
}

interface Reader {
  received: BusMessage[];
  /** The next message not yet returned by `next`. */
  next(timeoutMs?: number): Promise<BusMessage>;
  /** Resolves when the subscription has ended. */
  done: Promise<void>;
  close(): Promise<void>;
}

function reader(sub: Subscription): Reader {
  const received: BusMessage[] = [];
  const done = (async () => {
    for await (const msg of sub) received.push(msg);
  })();
  let read = 0;
  return {
    received,
    done,
    async next(timeoutMs = 5000) {
      const msg = await waitFor(() => received[read], { timeoutMs, message: `message #${read + 1}` });
      read++;
      return msg;
    },
    async close() {
      await sub.close();
      await done;
    },
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a rejection with ${code}`).toBeDefined();
  expect(isImpulseError(err) ? err.code : err).toBe(code);
}
