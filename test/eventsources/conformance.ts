import { afterEach, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import type { DispatchOptions, DispatchResult, SourceContext } from '../../eventsources/index.ts';
import { waitFor, within } from '../support/wait.ts';

/** One source under test, started the way the runner starts it (shared services included). */
export interface SourceHarness {
  start(ctx: SourceContext): Promise<void>;
  /** Makes the outside world produce one event for the source (a POST, a broker message, ...). */
  produce(): Promise<void>;
  /** For a `broken` harness: what the startup error's message must say (the port, the server). */
  expectedStartupError?: RegExp;
  /** Frees what the harness holds (servers, ports, connections). */
  cleanup?(): Promise<void>;
}

/**
 * `working`: a source that can start. `broken`: one that cannot, because its port is taken or its
 * server is unreachable.
 */
export type MakeSource = (kind: 'working' | 'broken') => Promise<SourceHarness>;

interface Recorder {
  ctx: SourceContext;
  abort: AbortController;
  dispatched: Array<{ payload: unknown; options: DispatchOptions | undefined }>;
  readyCalls: number;
  /** Replaces what `dispatch` does; the default records and succeeds. */
  dispatchWith?: (payload: unknown) => Promise<DispatchResult>;
}

function recorder(): Recorder {
  const abort = new AbortController();
  const rec: Recorder = {
    abort,
    dispatched: [],
    readyCalls: 0,
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
    },
  };
  return rec;
}

/** Lets pending I/O callbacks and timers of zero delay run, without waiting for a fixed time. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** What every EventSource driver must do, whatever its type. */
export function runSourceConformance(name: string, makeSource: MakeSource): void {
  describe(`EventSource driver conformance: ${name}`, () => {
    const harnesses: SourceHarness[] = [];
    const recorders: Recorder[] = [];
    const make = async (kind: 'working' | 'broken') => {
      const harness = await makeSource(kind);
      harnesses.push(harness);
      const rec = recorder();
      recorders.push(rec);
      return { harness, rec };
    };

    afterEach(async () => {
      for (const rec of recorders.splice(0)) rec.abort.abort();
      await Promise.allSettled(harnesses.splice(0).map((h) => h.cleanup?.()));
    });

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

    it('fails start() with a clear ImpulseError when it cannot listen or connect', async () => {
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
      if (harness.expectedStartupError) expect((err as Error).message).toMatch(harness.expectedStartupError);
      expect(rec.readyCalls).toBe(0);
    });
  });
}
