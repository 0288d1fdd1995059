import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './paths.ts';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

/** An `impulse` child process, run the way the controller runs it, with its log lines collected. */
export interface ImpulseProcess extends AsyncDisposable {
  readonly name: string;
  readonly child: ChildProcess;
  readonly metricsPort: number;
  /** Every line written so far, parsed when it is JSON. */
  readonly logs: Array<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `/health` answers 200. */
  healthy(timeoutMs?: number): Promise<void>;
  /** Waits for a log line whose `msg` matches. */
  logged(pattern: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Prints the child's lines as they come, for debugging a test. */
  echo?: boolean;
}

/** Starts `impulse <args> --metrics-port <free port>`. */
export async function startImpulse(
  name: string,
  args: string[],
  options: StartOptions = {},
): Promise<ImpulseProcess> {
  const metricsPort = await freePort();
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin/impulse.js'), ...args, '--metrics-port', String(metricsPort)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'debug', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: Array<Record<string, unknown>> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (options.echo) process.stderr.write(`[${name}] ${line}\n`);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const proc: ImpulseProcess = {
    name,
    child,
    metricsPort,
    logs,
    exited,
    async healthy(timeoutMs = 15_000) {
      await waitFor(
        async () => {
          if (!running()) throw new Error(`${name} exited: ${JSON.stringify(logs.slice(-5))}`);
          const res = await fetch(`http://127.0.0.1:${metricsPort}/health`).catch(() => undefined);
          return res?.status === 200;
        },
        { timeoutMs, intervalMs: 50, message: `${name} to be healthy` },
      );
    },
    logged(pattern, timeoutMs = 10_000) {
      return waitFor(() => logs.find((l) => pattern.test(String(l.msg ?? ''))), {
        timeoutMs,
        message: `${name} to log ${pattern}`,
      });
    },
    async stop() {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    kill(signal) {
      child.kill(signal);
    },
    async [Symbol.asyncDispose]() {
      // SIGTERM first: a process that hands its lease over at once lets the next test's process take
      // it without waiting for it to expire. SIGKILL if it does not stop within 5 s.
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  return proc;
}
