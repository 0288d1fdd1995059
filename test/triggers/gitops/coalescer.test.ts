import { describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { type Coalesced, Coalescer } from '../../../triggers/gitops/coalescer.ts';
import { waitFor } from '../../support/wait.ts';

interface Work {
  revision: string;
  rank: number;
}

interface Result {
  ok: boolean;
  revision: string;
}

/** A run that ends when the test says so, recording what it was asked to do. */
class Runs {
  readonly started: Array<{
    work: Work;
    covers: string[];
    finish(ok?: boolean): void;
    fail(err: Error): void;
    handOver(): string | undefined;
  }> = [];

  run = (work: Work, covers: string[], handOver: () => string | undefined) =>
    new Promise<Result>((resolve, reject) => {
      this.started.push({
        work,
        covers,
        handOver,
        finish: (ok = true) => resolve({ ok, revision: work.revision }),
        fail: reject,
      });
    });
}

function coalescer() {
  return new Coalescer<Work, Result>({
    rank: (w) => w.rank,
    merge: (older, newer) => ({ ...newer, rank: Math.max(older.rank, newer.rank) }),
    succeeded: (r) => r.ok,
    workingIntervalMs: 10,
  });
}

function request(firingId: string, revision: string, options: { trigger?: string; rank?: number } = {}) {
  let working = 0;
  return {
    key: 'app',
    firingId,
    trigger: options.trigger ?? 't',
    work: { revision, rank: options.rank ?? 2 },
    signal: new AbortController().signal,
    working: () => {
      working++;
    },
    get workingCalls() {
      return working;
    },
  };
}

describe('gitops coalescer', () => {
  it('merges firings that arrive during a run into one pending run of the newest, superseding the others', async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('f1', 'r1'), runs.run);
    await waitFor(() => runs.started.length === 1);
    const r2 = request('f2', 'r2');
    const second = c.submit(r2, runs.run);
    const third = c.submit(request('f3', 'r3'), runs.run);
    const fourth = c.submit(request('f4', 'r4'), runs.run);

    expect(await second).toEqual({ kind: 'superseded', by: 'f3' });
    expect(await third).toEqual({ kind: 'superseded', by: 'f4' });
    expect(runs.started).toHaveLength(1);

    runs.started[0]!.finish();
    expect(await first).toEqual({ kind: 'ran', result: { ok: true, revision: 'r1' }, covers: ['f1'] });
    await waitFor(() => runs.started.length === 2);
    expect(runs.started[1]!.work.revision).toBe('r4');
    expect(runs.started[1]!.covers).toEqual(['f2', 'f3', 'f4']);
    runs.started[1]!.finish();
    expect(await fourth).toMatchObject({ kind: 'ran', result: { revision: 'r4' } });
    expect(runs.started).toHaveLength(2);
    expect(c.idle).toBe(true);
  });

  it('keeps a waiting firing alive with working() until its run starts', async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('g1', 'r1'), runs.run);
    await waitFor(() => runs.started.length === 1);
    const waiting = request('g2', 'r2');
    const second = c.submit(waiting, runs.run);
    await waitFor(() => waiting.workingCalls >= 3, { message: 'heartbeats while pending' });
    runs.started[0]!.finish();
    await first;
    await waitFor(() => runs.started.length === 2);
    runs.started[1]!.finish();
    await second;
  });

  it('keeps the strongest mode of the merged firings', async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('m1', 'r1', { rank: 0 }), runs.run);
    await waitFor(() => runs.started.length === 1);
    const sync = c.submit(request('m2', 'r2', { rank: 2 }), runs.run);
    const refresh = c.submit(request('m3', 'main', { rank: 0 }), runs.run);
    expect(await sync).toEqual({ kind: 'superseded', by: 'm3' });
    runs.started[0]!.finish();
    await first;
    await waitFor(() => runs.started.length === 2);
    expect(runs.started[1]!.work).toEqual({ revision: 'main', rank: 2 });
    runs.started[1]!.finish();
    await refresh;
  });

  it('does not run a firing again that a later successful run covered (a redelivery)', async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('a1', 'r1'), runs.run);
    await waitFor(() => runs.started.length === 1);
    runs.started[0]!.fail(new ImpulseError('TRANSIENT', 'git unreachable'));
    await expect(first).rejects.toThrow('git unreachable');

    const second = c.submit(request('a2', 'r2'), runs.run);
    await waitFor(() => runs.started.length === 2);
    runs.started[1]!.finish();
    await second;
    // a1 comes back (its message was not acked): a2, newer, already synced.
    expect(await c.submit(request('a1', 'r1'), runs.run)).toEqual({ kind: 'already', by: 'a2' });
    expect(runs.started).toHaveLength(2);
  });

  it('a run that failed does not cover anything: the next firing runs', async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('b1', 'r1'), runs.run);
    await waitFor(() => runs.started.length === 1);
    runs.started[0]!.finish(false);
    expect(await first).toMatchObject({ kind: 'ran', result: { ok: false } });
    const again = c.submit(request('b1', 'r1'), runs.run);
    await waitFor(() => runs.started.length === 2);
    runs.started[1]!.finish();
    expect(await again).toMatchObject({ kind: 'ran', result: { ok: true } });
  });

  it('a firing of another trigger waits for the run that covers it and gets its result', async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('c1', 'r1'), runs.run);
    await waitFor(() => runs.started.length === 1);
    const other = c.submit(request('c2', 'r2', { trigger: 'other' }), runs.run);
    const mine = c.submit(request('c3', 'r3'), runs.run);
    let settled: Coalesced<Result> | undefined;
    void other.then((o) => {
      settled = o;
    });
    runs.started[0]!.finish();
    await first;
    await waitFor(() => runs.started.length === 2);
    expect(settled).toBeUndefined();
    runs.started[1]!.finish();
    expect(await mine).toMatchObject({ kind: 'ran', covers: ['c2', 'c3'] });
    expect(await other).toEqual({ kind: 'covered', by: 'c3', result: { ok: true, revision: 'r3' } });
  });

  it('an older firing delivered again while a newer one runs is superseded by it', async () => {
    const c = coalescer();
    const runs = new Runs();
    const old = c.submit(request('d1', 'r1'), runs.run);
    await waitFor(() => runs.started.length === 1);
    runs.started[0]!.fail(new ImpulseError('TRANSIENT', 'timeout'));
    await expect(old).rejects.toThrow();
    const newer = c.submit(request('d2', 'r2'), runs.run);
    await waitFor(() => runs.started.length === 2);
    expect(await c.submit(request('d1', 'r1'), runs.run)).toEqual({ kind: 'superseded', by: 'd2' });
    runs.started[1]!.finish();
    await newer;
    expect(runs.started).toHaveLength(2);
  });

  it("a failing run is not handed to another trigger's pending run, a weaker one or an older one", async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('h1', 'r1', { rank: 1 }), runs.run);
    await waitFor(() => runs.started.length === 1);
    const other = c.submit(request('h2', 'r2', { trigger: 'other', rank: 2 }), runs.run);
    expect(runs.started[0]!.handOver()).toBeUndefined();
    runs.started[0]!.finish(false);
    await first;
    await waitFor(() => runs.started.length === 2);
    expect(runs.started[1]!.covers).toEqual(['h2']);
    runs.started[1]!.finish();
    await other;

    const weaker = coalescer();
    const first2 = weaker.submit(request('w1', 'r1', { rank: 2 }), runs.run);
    await waitFor(() => runs.started.length === 3);
    // A refresh of the same trigger queued behind: it never syncs, so it cannot cover w1.
    const refresh = weaker.submit(request('w2', 'main', { rank: 0 }), runs.run);
    expect(runs.started[2]!.handOver()).toBeUndefined();
    runs.started[2]!.finish(false);
    await first2;
    await waitFor(() => runs.started.length === 4);
    // w1 delivered again while w2 runs queues behind it, but it is older: w2 cannot hand over to it.
    const again = weaker.submit(request('w1', 'r1', { rank: 2 }), runs.run);
    expect(runs.started[3]!.handOver()).toBeUndefined();
    runs.started[3]!.finish();
    await refresh;
    await waitFor(() => runs.started.length === 5);
    runs.started[4]!.finish();
    expect(await again).toMatchObject({ kind: 'ran', covers: ['w1'] });
  });

  it('a failing run hands over to a newer pending run of its trigger at least as strong, which covers it', async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('k1', 'r1', { rank: 1 }), runs.run);
    await waitFor(() => runs.started.length === 1);
    const newer = c.submit(request('k2', 'r2', { rank: 2 }), runs.run);
    expect(runs.started[0]!.handOver()).toBe('k2');
    runs.started[0]!.finish(false);
    expect(await first).toMatchObject({ kind: 'ran', result: { ok: false } });
    await waitFor(() => runs.started.length === 2);
    expect(runs.started[1]!.covers).toEqual(['k2', 'k1']);
    runs.started[1]!.finish();
    expect(await newer).toMatchObject({ kind: 'ran', covers: ['k2', 'k1'] });
    // Covered: k1 delivered again is not run again.
    expect(await c.submit(request('k1', 'r1', { rank: 1 }), runs.run)).toEqual({ kind: 'already', by: 'k2' });
  });

  it('gives up a waiting firing when its signal aborts, and starts nothing for it', async () => {
    const c = coalescer();
    const runs = new Runs();
    const first = c.submit(request('e1', 'r1'), runs.run);
    await waitFor(() => runs.started.length === 1);
    const abort = new AbortController();
    const waiting = c.submit({ ...request('e2', 'r2'), signal: abort.signal }, runs.run);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    runs.started[0]!.finish();
    await first;
    expect(runs.started).toHaveLength(1);
    expect(c.idle).toBe(true);
  });
});
