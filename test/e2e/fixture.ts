import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImpulseProcess, type StartOptions, startImpulse } from '../support/impulse-process.ts';
import { freePort } from '../support/ports.ts';

/**
 * One end-to-end world: a webhook EventSource and a Sensor in their own processes, on their own
 * EventBus, cleaned up together.
 */
export class SpineWorld implements AsyncDisposable {
  readonly processes: ImpulseProcess[] = [];
  dir = '';
  port = 0;

  constructor(
    readonly busName: string,
    readonly busUrl: string,
  ) {}

  async setup(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'impulse-e2e-'));
    this.port = await freePort();
  }

  async write(name: string, yaml: string): Promise<string> {
    const file = join(this.dir, name);
    await writeFile(file, yaml);
    return file;
  }

  /** Starts `impulse eventsource|sensor -f file` on this world's bus and waits until it is healthy. */
  async run(
    kind: 'eventsource' | 'sensor',
    file: string,
    options: StartOptions = {},
  ): Promise<ImpulseProcess> {
    const proc = await startImpulse(
      `${kind}:${this.processes.length}`,
      [kind, '-f', file, '--bus', this.busUrl],
      {
        ...options,
        env: { IMPULSE_BUS_NAME: this.busName, ...options.env },
      },
    );
    this.processes.push(proc);
    await proc.healthy();
    return proc;
  }

  webhookEventSource(events: Record<string, string>): string {
    const entries = Object.entries(events)
      .map(([name, endpoint]) => `    ${name}: {port: "${this.port}", endpoint: ${endpoint}, method: POST}`)
      .join('\n');
    return `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: hooks}
spec:
  webhook:
${entries}
`;
  }

  post(endpoint: string, body: unknown): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.port}${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.allSettled(this.processes.map((p) => p[Symbol.asyncDispose]()));
    await rm(this.dir, { recursive: true, force: true });
  }
}
