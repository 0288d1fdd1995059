import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { type ImpulseProcess, startImpulse } from '../support/impulse-process.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import { waitFor } from '../support/wait.ts';
import { forwardingSensor, SpineWorld } from './fixture.ts';

let world: SpineWorld;
let sink: HttpSink;

beforeEach(async () => {
  world = new SpineWorld(testBusName(), SHARED_NATS_URL);
  await world.setup();
  sink = await startHttpSink();
});
afterEach(async () => {
  for (const p of world.processes) if (p.child.exitCode === null) p.kill('SIGCONT');
  await world[Symbol.asyncDispose]();
  await sink.close();
  await removeBusTraces(world.busName);
});

const valueIn = (r: { json: unknown }) => (r.json as { a: string }).a;
const count = (value: string) => sink.received.filter((r) => valueIn(r) === value).length;

async function health(p: ImpulseProcess): Promise<{ status: number; role?: string }> {
  const res = await fetch(`http://127.0.0.1:${p.metricsPort}/health`).catch(() => undefined);
  if (!res) return { status: 0 };
  return { status: res.status, role: ((await res.json()) as { role?: string }).role };
}

/** Two replicas of one sensor: the first active, the second standing by. */
async function twoReplicas(): Promise<[ImpulseProcess, ImpulseProcess]> {
  await world.run('eventsource', await world.write('es.yaml', world.webhookEventSource({ a: '/a' })));
  const file = await world.write(
    'sensor.yaml',
    forwardingSensor(sink.url, { name: `ha${randomUUID().slice(0, 6)}`, spec: '  replicas: 2' }),
  );
  const active = await world.run('sensor', file);
  const standby = await startImpulse('sensor:standby', ['sensor', '-f', file, '--bus', world.busUrl], {
    env: { IMPULSE_BUS_NAME: world.busName },
  });
  world.processes.push(standby);
  await waitFor(async () => (await health(standby)).role === 'standby', {
    timeoutMs: 15_000,
    message: 'a standby replica',
  });
  return [active, standby];
}

const fired = (p: ImpulseProcess, from = 0) =>
  p.logs.slice(from).filter((l) => l.msg === 'trigger succeeded').length;

describe('two replicas of a sensor', () => {
  it('fire through exactly one, and the other fires the next event within 10 s of the active one dying', async () => {
    const [active, standby] = await twoReplicas();
    for (let i = 0; i < 10; i++) expect((await world.post('/a', { value: `v${i}` })).status).toBe(200);
    await waitFor(() => sink.received.length >= 10 && fired(active) === 10, {
      timeoutMs: 10_000,
      message: 'ten firings',
    });
    expect(sink.received.map(valueIn).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
    expect(fired(standby)).toBe(0);
    expect((await health(standby)).status).toBe(503);

    active.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await world.post('/a', { value: 'next' })).status).toBe(200);
    await waitFor(() => count('next') === 1, { timeoutMs: 10_000, message: 'the other replica to fire' });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    // The sink has the request; the standby logs its success once the answer is back.
    await waitFor(() => fired(standby) === 1, { timeoutMs: 5000, message: 'the standby to log the firing' });
    expect((await health(standby)).status).toBe(200);
  }, 60_000);

  it('keep a paused leader from firing after it resumes past its lease', async () => {
    const [leader, follower] = await twoReplicas();
    expect((await world.post('/a', { value: 'before' })).status).toBe(200);
    await waitFor(() => count('before') === 1, { timeoutMs: 10_000, message: 'the first firing' });
    // Its success is logged once the answer is back: wait for it, so a line written before the pause
    // is not counted as a firing after it.
    await waitFor(() => fired(leader) === 1, { timeoutMs: 5000, message: 'the leader to log its firing' });

    leader.kill('SIGSTOP');
    await waitFor(async () => (await health(follower)).status === 200, {
      timeoutMs: 15_000,
      message: 'the follower to take over',
    });
    expect((await world.post('/a', { value: 'during' })).status).toBe(200);
    const resumedAt = leader.logs.length;
    leader.kill('SIGCONT');
    await leader.logged(/lost the lease/, 10_000);
    expect((await world.post('/a', { value: 'after' })).status).toBe(200);
    await waitFor(() => count('during') === 1 && count('after') === 1, {
      timeoutMs: 20_000,
      message: 'the follower to fire both',
    });

    expect(fired(leader, resumedAt)).toBe(0);
    expect(leader.child.exitCode).toBeNull();
    await waitFor(async () => (await health(leader)).role === 'standby', {
      timeoutMs: 10_000,
      message: 'the old leader to stand by',
    });
    expect(sink.received.map(valueIn).sort()).toEqual(['after', 'before', 'during']);
  }, 60_000);
});
