/**
 * Runs Lua and jq jobs in a `worker_threads` Worker, one at a time, so a script never blocks the
 * sensor's event loop (`/health`, acks, other dependencies). Each job has a time budget that starts
 * when the worker takes it; a job that overruns it, or a worker that dies (out of memory, a broken
 * WebAssembly instance), fails that job and the worker is replaced for the next one.
 */
import { Worker } from 'node:worker_threads';
import { ImpulseError } from '../../core/errors.ts';
import type { ScriptJob, ScriptReply } from './protocol.ts';

export interface ScriptRunnerOptions {
  /** Milliseconds one evaluation may take once the worker has started it. @default 1000 */
  timeoutMs?: number;
  /** Lua instructions one evaluation may execute. @default 10000000 */
  instructionBudget?: number;
  /** The worker's JavaScript heap limit, in MiB. @default 128 */
  heapMb?: number;
}

export interface ScriptResult {
  result: unknown;
  isTrue: boolean;
}

interface Pending {
  job: ScriptJob;
  timer?: NodeJS.Timeout;
  resolve(result: ScriptResult): void;
  reject(err: ImpulseError): void;
}

type State = 'idle' | 'running' | 'closed';

/** Where the worker's code is: the compiled build, or the TypeScript source through tsx. */
function workerUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './worker-bootstrap.mjs' : './worker.js', here);
}

export class ScriptRunner {
  readonly timeoutMs: number;
  readonly instructionBudget: number;
  private readonly heapMb: number;
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private state: State = 'idle';
  private nextId = 1;
  private closing: Promise<void> | undefined;

  constructor(options: ScriptRunnerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.instructionBudget = options.instructionBudget ?? 10_000_000;
    this.heapMb = options.heapMb ?? 128;
  }

  /** Runs one job. Rejects with `INVALID_INPUT` (details.reason says why) when the script fails. */
  run(kind: ScriptJob['kind'], source: string, data: unknown): Promise<ScriptResult> {
    if (this.state === 'closed')
      return Promise.reject(new ImpulseError('CLOSED', 'the script runner is closed'));
    const job: ScriptJob = {
      id: this.nextId++,
      kind,
      source,
      data,
      instructionBudget: this.instructionBudget,
    };
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Starts the worker now, so the first event does not wait for it. */
  async warmUp(): Promise<void> {
    await this.start();
  }

  private start(): Promise<Worker> {
    this.ready ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(workerUrl(), {
        resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      });
      this.worker = worker;
      worker.unref();
      const onBootError = (err: Error) =>
        reject(new ImpulseError('INTERNAL', `script worker failed to start: ${err.message}`, { cause: err }));
      worker.once('error', onBootError);
      worker.once('message', () => {
        worker.off('error', onBootError);
        worker.on('message', (reply: ScriptReply) => this.onReply(worker, reply));
        worker.on('error', (err) => this.onExit(worker, `the script worker failed: ${err.message}`));
        worker.on('exit', () => this.onExit(worker, 'the script worker stopped'));
        resolve(worker);
      });
    });
    this.ready.catch(() => {
      this.ready = undefined;
      this.worker = undefined;
    });
    return this.ready;
  }

  private pump(): void {
    if (this.current || this.state === 'closed') return;
    const next = this.queue.shift();
    if (!next) {
      this.state = 'idle';
      this.worker?.unref();
      return;
    }
    this.current = next;
    this.state = 'running';
    this.start().then(
      (worker) => {
        if (this.current !== next) return;
        worker.ref();
        next.timer = setTimeout(() => this.onTimeout(worker, next), this.timeoutMs);
        worker.postMessage(next.job);
      },
      (err: ImpulseError) => this.finish(next, err),
    );
  }

  private finish(pending: Pending, outcome: ScriptResult | ImpulseError): void {
    if (this.current !== pending) return;
    const current = this.current;
    if (current.timer) clearTimeout(current.timer);
    this.current = undefined;
    if (outcome instanceof ImpulseError) pending.reject(outcome);
    else pending.resolve(outcome);
    this.pump();
  }

  private onReply(worker: Worker, reply: ScriptReply): void {
    const pending = this.current;
    if (worker !== this.worker || !pending || pending.job.id !== reply.id) return;
    if (reply.ok) {
      this.finish(pending, { result: reply.result, isTrue: reply.isTrue });
      return;
    }
    const reason = reply.syntax ? 'syntax' : reply.fatal ? 'fatal' : 'error';
    // A worker that reported a fatal error is exiting; the next job must not be sent to it.
    if (reply.fatal) this.discard(worker);
    this.finish(pending, new ImpulseError('INVALID_INPUT', reply.error, { details: { reason } }));
  }

  private onTimeout(worker: Worker, pending: Pending): void {
    this.discard(worker);
    this.finish(
      pending,
      new ImpulseError(
        'INVALID_INPUT',
        `the script did not finish within ${this.timeoutMs} ms and was stopped`,
        {
          details: { reason: 'timeout' },
        },
      ),
    );
  }

  private onExit(worker: Worker, message: string): void {
    if (worker !== this.worker) return;
    this.discard(worker);
    const pending = this.current;
    if (pending) {
      const memory = /memory/i.test(message) ? ' (it ran out of memory)' : '';
      this.finish(
        pending,
        new ImpulseError('INVALID_INPUT', `${message}${memory}`, { details: { reason: 'fatal' } }),
      );
    }
  }

  /** Forgets a worker and ends it; the next job starts a new one. */
  private discard(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined;
      this.ready = undefined;
    }
    void worker.terminate();
  }

  /** Fails queued jobs and ends the worker. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      const closed = new ImpulseError('CLOSED', 'the script runner is closed');
      for (const pending of this.queue.splice(0)) pending.reject(closed);
      if (this.current) {
        const pending = this.current;
        if (pending.timer) clearTimeout(pending.timer);
        this.current = undefined;
        pending.reject(closed);
      }
      const worker = this.worker;
      this.worker = undefined;
      this.ready = undefined;
      if (worker) await worker.terminate();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

let shared: ScriptRunner | undefined;

/** The process's runner, created on first use. */
export function defaultScriptRunner(): ScriptRunner {
  shared ??= new ScriptRunner();
  return shared;
}

/** Closes the process's runner, if one was created (for a clean shutdown). */
export async function closeDefaultScriptRunner(): Promise<void> {
  const runner = shared;
  shared = undefined;
  await runner?.close();
}
