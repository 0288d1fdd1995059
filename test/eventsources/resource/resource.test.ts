import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJetStreamBus, type EventBus } from '../../../eventbus/index.ts';
import { removeBusTraces, SHARED_NATS_URL, streamMessages, testBusName } from '../../support/jetstream.ts';
import { staysTrue, waitFor } from '../../support/wait.ts';
import {
  createConfigMap,
  deleteConfigMap,
  type KubeWorld,
  kubeWorld,
  patchConfigMap,
  type RunningSource,
  runResourceSource,
} from './fixture.ts';

const busName = testBusName();
let bus: EventBus;
const running: RunningSource[] = [];
const worlds: KubeWorld[] = [];

beforeAll(async () => {
  bus = await createJetStreamBus({ url: SHARED_NATS_URL, name: busName });
});
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((s) => s.stop()));
  await Promise.allSettled(worlds.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  await bus.close();
  await removeBusTraces(busName);
});

async function world(options: Parameters<typeof kubeWorld>[0] = {}) {
  const w = await kubeWorld(options);
  worlds.push(w);
  return w;
}

async function source(w: KubeWorld, extra: Record<string, unknown> = {}) {
  const s = await runResourceSource(
    {
      namespace: w.namespace,
      version: 'v1',
      resource: 'configmaps',
      eventTypes: ['ADD', 'UPDATE', 'DELETE'],
      ...extra,
    },
    () => w.proxied(),
    { bus },
  );
  running.push(s);
  return s;
}

describe('resource source', () => {
  it('publishes ADD, UPDATE and DELETE as {type, body, oldBody, group, version, resource} with stable ids', async () => {
    const w = await world();
    await createConfigMap(w, 'before', { k: '0' });
    const s = await source(w, { metadata: { team: 'a' } });
    await waitFor(() => s.seen().includes('ADD before'), { message: 'the existing object as ADD' });

    const created = await createConfigMap(w, 'a', { k: '1' });
    await patchConfigMap(w, 'a', { data: { k: '2' } });
    await deleteConfigMap(w, 'a');
    await waitFor(() => s.seen().length === 4, { message: 'ADD, UPDATE and DELETE of a' });
    expect(s.seen()).toEqual(['ADD before', 'ADD a', 'UPDATE a', 'DELETE a']);

    const [, add, update, del] = s.payloads();
    expect(add).toMatchObject({
      type: 'ADD',
      oldBody: null,
      group: '',
      version: 'v1',
      resource: 'configmaps',
    });
    expect(add!.metadata).toEqual({ team: 'a' });
    expect(add!.body).toMatchObject({ metadata: { name: 'a', namespace: w.namespace }, data: { k: '1' } });
    expect(update).toMatchObject({
      type: 'UPDATE',
      body: { data: { k: '2' } },
      oldBody: { data: { k: '1' } },
    });
    expect(del).toMatchObject({ type: 'DELETE', oldBody: null, body: { metadata: { name: 'a' } } });

    const uid = created.metadata!.uid!;
    const ids = s.rec.events.slice(1).map((e) => e.options?.id);
    expect(ids).toEqual([
      `${uid}:${created.metadata!.resourceVersion}:ADD`,
      `${uid}:${update!.body.metadata.resourceVersion}:UPDATE`,
      // A DELETE carries the last version seen before it, which a later listing would also know.
      `${uid}:${update!.body.metadata.resourceVersion}:DELETE`,
    ]);
  });

  it('publishes only the configured eventTypes', async () => {
    const w = await world();
    const s = await source(w, { eventTypes: ['DELETE'] });
    await createConfigMap(w, 'x');
    await patchConfigMap(w, 'x', { data: { a: 'b' } });
    await deleteConfigMap(w, 'x');
    await waitFor(() => s.seen().length > 0);
    await staysTrue(() => s.seen().length === 1, { forMs: 300 });
    expect(s.seen()).toEqual(['DELETE x']);
  });

  it('misses nothing and repeats nothing across a dropped watch: it resumes from the last version', async () => {
    const w = await world();
    await createConfigMap(w, 'keep', { v: '1' });
    await createConfigMap(w, 'gone');
    const s = await source(w);
    await waitFor(() => s.seen().length === 2);

    // The watch drops; the source cannot reconnect while these changes are made.
    w.proxy.cut();
    await createConfigMap(w, 'new');
    await patchConfigMap(w, 'keep', { data: { v: '2' } });
    await patchConfigMap(w, 'keep', { data: { v: '3' } });
    await deleteConfigMap(w, 'gone');
    w.proxy.restore();

    await waitFor(() => s.seen().length === 6, {
      timeoutMs: 10_000,
      message: 'the changes made while cut off',
    });
    expect(s.seen().slice(2)).toEqual(['ADD new', 'UPDATE keep', 'UPDATE keep', 'DELETE gone']);
    expect(s.payloads()[3]!.oldBody).toMatchObject({ data: { v: '1' } });

    // The server ends the watch (as at its request timeout): the next one resumes, nothing repeats.
    w.emulator.closeWatches();
    await waitFor(() => w.emulator.openWatches > 0, { message: 'a new watch' });
    await patchConfigMap(w, 'new', { data: { after: 'close' } });
    await waitFor(() => s.seen().length === 7);
    await staysTrue(() => s.seen().length === 7, { forMs: 300, message: 'no repeated events' });
    expect(s.seen()[6]).toBe('UPDATE new');
    const ids = s.rec.events.map((e) => e.options?.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists again after 410 Gone and publishes the differences: gone DELETE, new ADD, changed UPDATE', async () => {
    const w = await world({ watchWindow: 3 });
    await createConfigMap(w, 'same', { v: '1' });
    await createConfigMap(w, 'changed', { v: '1' });
    await createConfigMap(w, 'removed', { v: '1' });
    const s = await source(w);
    await waitFor(() => s.seen().length === 3);

    w.proxy.cut();
    // More changes than the emulator retains: resuming from the last version answers 410.
    await patchConfigMap(w, 'changed', { data: { v: '2' } });
    await patchConfigMap(w, 'changed', { data: { v: '3' } });
    await deleteConfigMap(w, 'removed');
    await createConfigMap(w, 'added', { v: '1' });
    await createConfigMap(w, 'brief');
    await deleteConfigMap(w, 'brief');
    w.proxy.restore();

    await waitFor(() => s.seen().length === 6, { timeoutMs: 10_000, message: 'the differences after 410' });
    await staysTrue(() => s.seen().length === 6, { forMs: 300, message: 'nothing more' });
    expect(s.seen().slice(3).sort()).toEqual(['ADD added', 'DELETE removed', 'UPDATE changed']);
    const update = s.payloads().find((p) => p.type === 'UPDATE')!;
    expect(update.oldBody).toMatchObject({ data: { v: '1' } });
    expect(update.body).toMatchObject({ data: { v: '3' } });

    // And it watches on from the new listing.
    await patchConfigMap(w, 'same', { data: { v: '2' } });
    await waitFor(() => s.seen().length === 7);
    expect(s.seen()[6]).toBe('UPDATE same');
  });

  it('stores each change once on the bus, even when a restarted source sees it again', async () => {
    const w = await world();
    await createConfigMap(w, 'one');
    await createConfigMap(w, 'two');
    const first = await source(w);
    await waitFor(() => first.seen().length === 2);
    const stored = await streamMessages(busName);
    await first.stop();

    // Same EventSource and event: the listing finds the same objects at the same versions.
    const again = await runResourceSource(
      { namespace: w.namespace, version: 'v1', resource: 'configmaps', eventTypes: ['ADD'] },
      () => w.proxied(),
      { bus, eventName: first.eventName },
    );
    running.push(again);
    await waitFor(() => again.seen().length === 2);
    expect(await streamMessages(busName)).toBe(stored);
  });
});
