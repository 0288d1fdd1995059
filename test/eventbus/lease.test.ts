import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../core/errors.ts';
import {
  acquireLease,
  createJetStreamBus,
  createMemoryBus,
  type EventBus,
  type KvStore,
  LEASE_BUCKET,
} from '../../eventbus/index.ts';
import { removeBusTraces, SHARED_NATS_URL } from '../support/jetstream.ts';
import { waitFor, within } from '../support/wait.ts';

const TTL = 600;

/** A bus whose lease bucket can be made to fail (the holder is cut off from NATS). */
function breakable(bus: EventBus): { bus: EventBus; cutOff(): void } {
  let broken = false;
  const fail = () => Promise.reject(new ImpulseError('BUS_UNAVAILABLE', 'cut off'));
  const wrapped = Object.create(bus) as EventBus;
  wrapped.kv = async (name, options) => {
    const kv = await bus.kv(name, options);
    const guard = <T>(fn: () => Promise<T>) => (broken ? (fail() as Promise<T>) : fn());
    return {
      bucket: kv.bucket,
      get: (key) => guard(() => kv.get(key)),
      put: (key, value) => guard(() => kv.put(key, value)),
      create: (key, value) => guard(() => kv.create(key, value)),
      update: (key, value, revision) => guard(() => kv.update(key, value, revision)),
      delete: (key) => guard(() => kv.delete(key)),
      keys: (prefix) => guard(() => kv.keys(prefix)),
    } satisfies KvStore;
  };
  return { bus: wrapped, cutOff: () => (broken = true) };
}

for (const driver of ['memory', 'jetstream'] as const) {
  describe(`leases (${driver})`, () => {
    const buses: EventBus[] = [];
    const keys: string[] = [];
    const key = () => {
      const k = `test.default.l${randomUUID().slice(0, 8)}`;
      keys.push(k);
      return k;
    };
    const open = async () => {
      const bus =
        driver === 'memory'
          ? createMemoryBus({ name: 'leases' })
          : await createJetStreamBus({ url: SHARED_NATS_URL, name: `t${randomUUID().slice(0, 8)}` });
      buses.push(bus);
      return bus;
    };
    afterEach(async () => {
      const first = buses[0];
      if (first) {
        const kv = await first.kv(LEASE_BUCKET);
        await Promise.allSettled(keys.splice(0).map((k) => kv.delete(k)));
      }
      for (const bus of buses.splice(0)) {
        await bus.close();
        if (bus.driver === 'jetstream') await removeBusTraces(bus.name);
      }
    });

    it('gives the lease to one holder at a time and hands it over at once on close', async () => {
      const bus = await open();
      const k = key();
      const first = await acquireLease({ bus, key: k, holder: 'a', ttlMs: TTL });
      expect(first.held).toBe(true);
      let secondHeld = false;
      const second = acquireLease({ bus, key: k, holder: 'b', ttlMs: TTL }).then((lease) => {
        secondHeld = true;
        return lease;
      });
      // Renewals keep it: well past the ttl, the second is still waiting.
      await new Promise((resolve) => setTimeout(resolve, TTL * 2));
      expect(secondHeld).toBe(false);
      expect(first.held).toBe(true);
      const released = performance.now();
      await first.close();
      await first.close();
      expect(first.signal.aborted).toBe(true);
      const lease = await within(second, 2000, 'the second holder');
      expect(performance.now() - released).toBeLessThan(TTL);
      expect(lease.held).toBe(true);
      await lease.close();
      const kv = await bus.kv(LEASE_BUCKET);
      expect((await kv.get<{ holder: string | null }>(k))?.value.holder).toBeNull();
    });

    it('stops a holder that cannot renew within 2/3 of the ttl, before another may take over', async () => {
      const base = await open();
      const k = key();
      const cut = breakable(base);
      const first = await acquireLease({ bus: cut.bus, key: k, holder: 'a', ttlMs: TTL });
      const acquiredAt = performance.now();
      let lostAt = 0;
      first.signal.addEventListener('abort', () => (lostAt = performance.now()));
      cut.cutOff();
      const second = await within(
        acquireLease({ bus: base, key: k, holder: 'b', ttlMs: TTL }),
        5000,
        'takeover',
      );
      const takenAt = performance.now();
      expect(lostAt).toBeGreaterThan(0);
      expect(lostAt).toBeLessThan(takenAt);
      // The holder gave up no later than 2/3 ttl after its last renewal (at most ttl/3 before the cut).
      expect(lostAt - acquiredAt).toBeLessThan(TTL + 100);
      expect(first.held).toBe(false);
      await first.close(); // releasing a lost lease must not disturb the new holder
      expect(second.held).toBe(true);
      await second.close();
    });

    it('knows it lost the lease when read after a pause, before its timers run', async () => {
      const bus = await open();
      const lease = await acquireLease({ bus, key: key(), holder: 'a', ttlMs: TTL });
      // Block the event loop past the deadline, as a SIGSTOP would: no timer can run meanwhile.
      const until = performance.now() + TTL;
      while (performance.now() < until) {
        // spin
      }
      expect(lease.held).toBe(false);
      expect(lease.signal.aborted).toBe(true);
      await lease.close();
    });

    it('takes back a lease it last held without waiting for the ttl', async () => {
      const base = await open();
      const k = key();
      const cut = breakable(base);
      const first = await acquireLease({ bus: cut.bus, key: k, holder: 'same', ttlMs: TTL });
      cut.cutOff();
      await waitFor(() => first.signal.aborted, { timeoutMs: 2000, message: 'the lease to be lost' });
      const again = await within(
        acquireLease({ bus: base, key: k, holder: 'same', ttlMs: TTL }),
        TTL / 2,
        'retaking',
      );
      expect(again.held).toBe(true);
      await again.close();
    });

    it('stops waiting when its signal aborts', async () => {
      const bus = await open();
      const k = key();
      const holder = await acquireLease({ bus, key: k, holder: 'a', ttlMs: TTL });
      const controller = new AbortController();
      const waiting = acquireLease({ bus, key: k, holder: 'b', ttlMs: TTL, signal: controller.signal });
      controller.abort();
      await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
      await holder.close();
    });
  });
}
