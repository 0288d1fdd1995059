import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { silentLogger } from '../../../core/logger.ts';
import { createMemoryBus, type EventBus } from '../../../eventbus/index.ts';
import { busLeases, type HeldLease, type LeaseService } from '../../../eventsources/active-passive.ts';
import type { SourceConfig } from '../../../eventsources/index.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import {
  createConfigMap,
  type KubeWorld,
  kubeWorld,
  type RunningSource,
  runResourceSource,
} from './fixture.ts';

/** A lease the test hands out and takes back, so a source can lose it and win it back on cue. */
function handedLeases() {
  const waiting: Array<(lease: HeldLease) => void> = [];
  let current: AbortController | undefined;
  const service: LeaseService = {
    acquire: (_key, signal) =>
      new Promise((resolve, reject) => {
        waiting.push(resolve);
        signal.addEventListener('abort', () => reject(new ImpulseError('CLOSED', 'stopped')), { once: true });
      }),
  };
  return {
    service,
    waiting: () => waiting.length,
    grant() {
      current = new AbortController();
      waiting.shift()!({ signal: current.signal, close: async () => undefined });
    },
    revoke: () => current?.abort(),
  };
}

/** Waits until the clock is in a later whole second than the object's creation time. */
async function pastCreationSecond(object: { metadata?: { creationTimestamp?: Date | string } }) {
  const created = new Date(object.metadata!.creationTimestamp!).getTime();
  await waitFor(() => Date.now() >= created + 1000, { timeoutMs: 2000 });
}

describe('resource source under a lease: afterStart counts from the first time the lease is held', () => {
  let world: KubeWorld | undefined;
  let bus: EventBus | undefined;
  const sources: RunningSource[] = [];
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    await bus?.close();
    await world?.close();
    bus = undefined;
    world = undefined;
  });

  const config = (w: KubeWorld): SourceConfig<'resource'> => ({
    namespace: w.namespace,
    version: 'v1',
    resource: 'configmaps',
    eventTypes: ['ADD'],
    filter: { afterStart: true },
  });

  it('a standby that takes over later does not publish objects created before the takeover as ADD', async () => {
    world = await kubeWorld();
    const w = world;
    bus = createMemoryBus({ name: `lease-${randomUUID().slice(0, 8)}` });
    const eventName = `e${randomUUID().slice(0, 8)}`;
    const active = await runResourceSource(config(w), () => w.proxied(), {
      eventName,
      leases: busLeases(bus, silentLogger(), 1500),
    });
    sources.push(active);
    // Started now, long before it takes over: its process start must not be afterStart's instant.
    const standby = await runResourceSource(config(w), () => w.proxied(), {
      eventName,
      leases: busLeases(bus, silentLogger(), 1500),
    });
    sources.push(standby);
    expect(standby.rec.readyCalls).toBe(1);

    const between = await createConfigMap(w, 'between');
    await waitFor(() => active.seen().includes('ADD between'), {
      message: 'the active replica to publish it',
    });
    await pastCreationSecond(between);

    await active.stop();
    // Ready again once it holds the lease and has listed.
    await waitFor(() => standby.rec.readyCalls >= 2, {
      timeoutMs: 10_000,
      message: 'the standby to take over',
    });
    await createConfigMap(w, 'after');
    await waitFor(() => standby.seen().length > 0, { message: 'an event from the new holder' });
    await staysTrue(() => standby.seen().length === 1, { forMs: 300 });
    expect(standby.seen()).toEqual(['ADD after']);
  });

  it('keeps the first holding instant when the lease is lost and won back', async () => {
    world = await kubeWorld();
    const w = world;
    const before = await createConfigMap(w, 'before');
    await pastCreationSecond(before);
    const leases = handedLeases();
    const source = await runResourceSource(config(w), () => w.proxied(), {
      leases: leases.service,
      waitReady: false,
    });
    sources.push(source);
    await waitFor(() => leases.waiting() === 1, { message: 'the source to ask for the lease' });
    leases.grant();
    await waitFor(() => source.rec.readyCalls > 0, { message: 'the source to list' });

    leases.revoke();
    await waitFor(() => leases.waiting() === 1, { message: 'the source to stand by' });
    // Created while it stood by, after it first held the lease: still new when it wins it back.
    const gap = await createConfigMap(w, 'gap');
    await pastCreationSecond(gap);
    leases.grant();
    await waitFor(() => source.seen().length > 0, { message: 'the object created while standing by' });
    await staysTrue(() => source.seen().length === 1, { forMs: 300 });
    expect(source.seen()).toEqual(['ADD gap']);
  });
});
