import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '../../core/node-flags.ts';
import { prettyLogLine } from './log-lines.ts';

const CLI = fileURLToPath(new URL('../../bin/impulse.js', import.meta.url));

export interface ChildSpec {
  /** `eventsource/webhook`, shown before each of its log lines. */
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `impulse` child processes with prefixed, readable logs. `stop()` sends SIGTERM to all and waits
 * for them; `exited` resolves with the first child that ended on its own.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;
  private notifyExit: ((exit: { name: string; code: number | null }) => void) | undefined;
  readonly exited = new Promise<{ name: string; code: number | null }>((resolve) => {
    this.notifyExit = resolve;
  });

  constructor(private readonly write: (line: string) => void) {}

  start(spec: ChildSpec): void {
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, CLI, ...spec.args], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(spec.name, child);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.write(prettyLogLine(spec.name, line)));
    }
    child.on('exit', (code) => {
      this.children.delete(spec.name);
      if (!this.stopping) this.notifyExit?.({ name: spec.name, code });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const waits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    );
    await Promise.all(waits);
  }
}
