/**
 * The script worker: runs Lua (fengari) and jq (jq-web, jq compiled to WebAssembly) off the
 * sensor's main thread, one job at a time. Before loading either it caps what a script can
 * allocate outside the JavaScript heap (which `resourceLimits` already bounds): a typed array may
 * hold at most MAX_BUFFER_BYTES (Lua strings are typed arrays) and WebAssembly memory may grow to
 * at most MAX_WASM_BYTES. The parent ends the worker when a job overruns its time.
 */
import { parentPort } from 'node:worker_threads';
import { MAX_BUFFER_BYTES, MAX_WASM_BYTES, type ScriptJob, type ScriptReply } from './protocol.ts';

class MemoryCapError extends RangeError {}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}

function installLimits(): void {
  const Native = Uint8Array;
  class CappedUint8Array extends Native {
    constructor(...args: unknown[]) {
      if (typeof args[0] === 'number' && args[0] > MAX_BUFFER_BYTES) {
        throw new MemoryCapError(
          `a string of ${args[0]} bytes is larger than the limit of ${MAX_BUFFER_BYTES}`,
        );
      }
      super(...(args as [ArrayBuffer]));
    }
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof Native;
    }
  }
  (globalThis as { Uint8Array: unknown }).Uint8Array = CappedUint8Array;

  const wasm = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly;
  const grow = wasm.Memory.prototype.grow;
  wasm.Memory.prototype.grow = function cappedGrow(this: WasmMemory, delta: number): number {
    if (this.buffer.byteLength + delta * 65536 > MAX_WASM_BYTES) {
      throw new MemoryCapError(`jq memory would grow past the limit of ${MAX_WASM_BYTES} bytes`);
    }
    return grow.call(this, delta);
  };
  // jq-web reports jq's stderr on the console; nothing a script prints belongs in the sensor's log.
  console.warn = () => {};
  console.log = () => {};
  console.error = () => {};
}

installLimits();
const { runLua, LuaError } = await import('./lua.ts');
const jq = (await (
  await import('jq-web')
).default) as {
  raw(json: string, filter: string, flags: string[]): string | undefined;
};

/** Hides the process environment and file name from programs, as gojq in Argo Events has none. */
const JQ_PRELUDE = 'def env: {}; def input_filename: null; {} as $ENV | ';

interface JqFailure extends Error {
  exitCode?: number;
  stderr?: string;
}

/** jq's message without the exit-code preamble, with line numbers as the user wrote them. */
function jqMessage(err: JqFailure): string {
  const text = (err.stderr ?? err.message).replace(/^Non-zero exit code: \d+\n?/, '').trim();
  return text.replace(/line (\d+)/g, (_, n: string) => `line ${Math.max(1, Number(n) - 1)}`);
}

function runJq(job: ScriptJob): ScriptReply {
  const check = job.kind === 'jq-check';
  const program = check
    ? `if false then (\n${job.source}\n) else empty end`
    : `${JQ_PRELUDE}first(\n${job.source}\n)`;
  let out: string | undefined;
  try {
    out = jq.raw(check ? 'null' : JSON.stringify(job.data), program, ['-c']);
  } catch (err) {
    const e = err as JqFailure;
    if (e instanceof MemoryCapError) return { id: job.id, ok: false, error: e.message, fatal: true };
    if (typeof e.exitCode !== 'number') {
      return { id: job.id, ok: false, error: `jq stopped: ${e.message}`, fatal: true };
    }
    return { id: job.id, ok: false, error: jqMessage(e), syntax: e.exitCode === 3 };
  }
  if (check) return { id: job.id, ok: true, result: null, isTrue: false };
  const line = (out ?? '').split('\n')[0]?.trim() ?? '';
  if (line === '')
    return { id: job.id, ok: false, error: 'no output available from the jq command execution' };
  return { id: job.id, ok: true, result: JSON.parse(line), isTrue: false };
}

function runJob(job: ScriptJob): ScriptReply {
  if (job.kind !== 'lua') return runJq(job);
  try {
    const run = runLua(job.source, job.data as Record<string, unknown>, job.instructionBudget);
    return { id: job.id, ok: true, result: run.result, isTrue: run.isTrue };
  } catch (err) {
    if (err instanceof LuaError) return { id: job.id, ok: false, error: err.message };
    if (err instanceof RangeError)
      return { id: job.id, ok: false, error: `the script used too much memory: ${err.message}` };
    return { id: job.id, ok: false, error: `the script failed: ${(err as Error).message}`, fatal: true };
  }
}

parentPort!.on('message', (job: ScriptJob) => {
  const reply = runJob(job);
  parentPort!.postMessage(reply);
  if (!reply.ok && reply.fatal) process.exit(1);
});
parentPort!.postMessage({ ready: true });
