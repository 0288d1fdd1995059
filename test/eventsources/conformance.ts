import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import { createMemoryBus } from '../../eventbus/index.ts';
import { busLeases, type LeaseService } from '../../eventsources/active-passive.ts';
import type { DispatchOptions, DispatchResult, SourceContext } from '../../eventsources/index.ts';
import { waitFor, within } from '../support/wait.ts';

/** One source under test, started the way the runner starts it (shared services included). */
export interface SourceHarness {
  start(ctx: SourceContext): Promise<void>;
  /** Makes the outside world produce one event for the source (a POST, a broker message, ...). */
  produce(): Promise<void>;
  /** For a `broken` harness: what the startup error's message must say (the port, the server). */
  expectedStartupError?: RegExp;
  /** For a `broken` harness: a password that its configuration holds and no message may show. */
  secret?: string;
  /**
   * Cuts the source off its server (a TCP proxy the test owns drops every connection and closes new
   * ones at once); `refused` then lists when the source tried to connect again.
   */
  cut?(): void;
  /** Lets the source reach its server again. */
  restore?(): void;
  refused?(): readonly number[];
  /** Frees what the harness holds (servers, ports, connections). */
  cleanup?(): Promise<void>;
}

export interface MakeSourceOptions {
  /** Leases for a source that runs active-passive; each replica gets its own service. */
  leases?: LeaseService;
  /**
   * Harnesses made with the same group are replicas of one source: same queue, topic or stream
   * (and, for a calendar, the same clock).
   */
  group?: string;
}

/**
 * `working`: a source that can start. `broken`: one that cannot, because its port is taken or its
 * server is unreachable.
 */
export type MakeSource = (kind: 'working' | 'broken', options?: MakeSourceOptions) => Promise<SourceHarness>;

export interface ConformanceOptions {
  /** The source can be made unable to start (`broken`). @default true */
  broken?: boolean;
  /**
   * The harness can cut and restore the source's connection (`cut`, `restore`, `refused`). Its
   * working source must use a connection backoff of 200 ms, factor 2, no jitter.
   */
  reconnect?: boolean;
  /** The source runs active-passive under a lease. */
  lease?: boolean;
}

interface Recorder {
  ctx: SourceContext;
  abort: AbortController;
  dispatched: Array<{ payload: unknown; options: DispatchOptions | undefined }>;
  readyCalls: number;
  dropped: number;
  /** Replaces what `dispatch` does; the default records and succeeds. */
  dispatchWith?: (payload: unknown) => Promise<DispatchResult>;
}

function recorder(): Recorder {
  const abort = new AbortController();
  const rec: Recorder = {
    abort,
    dispatched: [],
    readyCalls: 0,
    dropped: 0,
    ctx: {
      signal: abort.signal,
      logger: silentLogger(),
      secrets: createSecretResolver({ env: {} }),
      dispatch: async (payload, options) => {
        if (rec.dispatchWith) return rec.dispatchWith(payload);
        rec.dispatched.push({ payload, options });
        return { id: `e${rec.dispatched.length}`, published: true, duplicate: false };
      },
      ready: () => {
        rec.readyCalls++;
      },
      rejected: () => undefined,
      dropped: () => {
        rec.dropped++;
      },
    },
  };
  return rec;
}

/** Lets pending I/O callbacks and timers of zero delay run, without waiting for a fixed time. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Produces until the source hands something new to `rec` (a source without acknowledgements may
 * miss what was produced while it was still reconnecting).
 */
async function produceUntilDispatched(harness: SourceHarness, rec: Recorder, timeoutMs = 15_000) {
  const before = rec.dispatched.length;
  await waitFor(
    async () => {
      if (rec.dispatched.length > before) return true;
      await harness.produce();
      return waitFor(() => rec.dispatched.length > before, { timeoutMs: 500 }).catch(() => false);
    },
    { timeoutMs, intervalMs: 0, message: 'a dispatch after reconnecting' },
  );
}

/** What every EventSource driver must do, whatever its type. */
export function runSourceConformance(
  name: string,
  makeSource: MakeSource,
  options: ConformanceOptions = {},
): void {
  describe(`EventSource driver conformance: ${name}`, () => {
    const harnesses: SourceHarness[] = [];
    const recorders: Recorder[] = [];
    const make = async (kind: 'working' | 'broken', makeOptions?: MakeSourceOptions) => {
      const harness = await makeSource(kind, makeOptions);
      harnesses.push(harness);
      const rec = recorder();
      recorders.push(rec);
      return { harness, rec };
    };
    const leaseBus = createMemoryBus({ name: 'conformance' });

    afterEach(async () => {
      for (const rec of recorders.splice(0)) rec.abort.abort();
      await Promise.allSettled(harnesses.splice(0).map((h) => h.cleanup?.()));
    });
    afterAll(() => leaseBus.close());

    it('becomes ready, hands what it receives to dispatch, and resolves start() on abort', async () => {
      const { harness, rec } = await make('working');
      const running = harness.start(rec.ctx);
      await waitFor(() => rec.readyCalls > 0, { message: 'ready()' });
      await harness.produce();
      await waitFor(() => rec.dispatched.length === 1, { message: 'a dispatched payload' });
      rec.abort.abort();
      await within(running, 5000, 'start() to resolve after abort');
    });

    it('resolves start() when aborted before it could become ready', async () => {
      const { harness, rec } = await make('working');
      rec.abort.abort();
      await within(harness.start(rec.ctx), 5000, 'start() to resolve');
    });

    it('keeps running after a dispatch fails', async () => {
      const { harness, rec } = await make('working');
      const running = harness.start(rec.ctx);
      await waitFor(() => rec.readyCalls > 0);
      let refused = 0;
      rec.dispatchWith = async () => {
        refused++;
        throw new ImpulseError('BUS_UNAVAILABLE', 'the bus is away');
      };
      await harness.produce();
      await waitFor(() => refused > 0, { message: 'a refused dispatch' });
      rec.dispatchWith = undefined;
      await harness.produce();
      await waitFor(() => rec.dispatched.length > 0, {
        timeoutMs: 10_000,
        message: 'a dispatch after the failure',
      });
      rec.abort.abort();
      await within(running, 5000, 'start() to resolve');
    });

    it('lets a dispatch in flight finish before start() resolves', async () => {
      const { harness, rec } = await make('working');
      const running = harness.start(rec.ctx);
      await waitFor(() => rec.readyCalls > 0);
      let release!: () => void;
      let finished = false;
      rec.dispatchWith = async () => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        finished = true;
        return { id: 'held', published: true, duplicate: false };
      };
      const producing = harness.produce();
      await waitFor(() => release !== undefined, { message: 'a dispatch in flight' });
      let stopped = false;
      void running.then(() => {
        stopped = true;
      });
      rec.abort.abort();
      await turns(20);
      expect(stopped).toBe(false);
      release();
      await within(running, 5000, 'start() to resolve');
      expect(finished).toBe(true);
      await producing;
    });

    if (options.broken !== false) {
      it('fails start() with a clear ImpulseError naming the server, never its password', async () => {
        const { harness, rec } = await make('broken');
        const err = await within(
          harness.start(rec.ctx).then(
            () => new Error('start() resolved'),
            (e: unknown) => e,
          ),
          15_000,
          'start() to fail',
        );
        expect(err).toBeInstanceOf(ImpulseError);
        const message = (err as Error).message;
        if (harness.expectedStartupError) expect(message).toMatch(harness.expectedStartupError);
        if (harness.secret) expect(message).not.toContain(harness.secret);
        expect(rec.readyCalls).toBe(0);
      });
    }

    if (options.reconnect) {
      it('reconnects with backoff when its server goes away, and goes on', async () => {
        const { harness, rec } = await make('working');
        const running = harness.start(rec.ctx);
        await waitFor(() => rec.readyCalls > 0, { message: 'ready()' });
        await harness.produce();
        await waitFor(() => rec.dispatched.length === 1, { message: 'a dispatch before the cut' });

        harness.cut!();
        await waitFor(() => harness.refused!().length >= 3, {
          timeoutMs: 10_000,
          message: 'three attempts to reconnect',
        });
        const attempts = harness.refused!();
        const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
        // Configured: 200 ms, growing by 2 (timers may fire a little early).
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(150);
        expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!);

        harness.restore!();
        await produceUntilDispatched(harness, rec);
        rec.abort.abort();
        await within(running, 5000, 'start() to resolve');
      });
    }

    if (options.lease) {
      it('runs on one replica at a time, and the other takes over when it stops', async () => {
        const replicas: Array<{ harness: SourceHarness; rec: Recorder }> = [];
        const group = `g${randomUUID().slice(0, 8)}`;
        for (let i = 0; i < 2; i++) {
          const leases = busLeases(leaseBus, silentLogger(), 1500);
          replicas.push(await make('working', { leases, group }));
        }
        const running = replicas.map(({ harness, rec }) => harness.start(rec.ctx));
        await waitFor(() => replicas.every(({ rec }) => rec.readyCalls > 0), { message: 'both ready' });
        const total = () => replicas.reduce((n, { rec }) => n + rec.dispatched.length, 0);
        await waitFor(
          async () => {
            await replicas[0]!.harness.produce();
            return waitFor(() => total() > 0, { timeoutMs: 500 }).catch(() => false);
          },
          { timeoutMs: 15_000, intervalMs: 0, message: 'a dispatch by the active replica' },
        );
        const active = replicas.find(({ rec }) => rec.dispatched.length > 0)!;
        const standby = replicas.find((r) => r !== active)!;
        expect(standby.rec.dispatched).toHaveLength(0);

        active.rec.abort.abort();
        await within(running[replicas.indexOf(active)]!, 5000, 'the active replica to stop');
        await produceUntilDispatched(standby.harness, standby.rec);
        standby.rec.abort.abort();
        await within(running[replicas.indexOf(standby)]!, 5000, 'the standby replica to stop');
      });
    }
  });
}
