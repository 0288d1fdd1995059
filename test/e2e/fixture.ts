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

export interface ForwardingSensorOptions {
  /** @default forward */
  name?: string;
  /** @default ['a'] */
  dependencies?: string[];
  /** Extra `spec` lines, indented by two spaces (e.g. `  replicas: 2`). */
  spec?: string;
  /** Extra trigger-level lines, indented by six spaces (e.g. `      retryStrategy: {steps: 3}`). */
  trigger?: string;
}

/**
 * The Sensor most end-to-end tests use: each dependency `d` listens to event `d` of the `hooks`
 * EventSource, and one HTTP trigger POSTs `{d: <body.value of d's event>}` to `<sinkUrl>/received`.
 */
export function forwardingSensor(sinkUrl: string, options: ForwardingSensorOptions = {}): string {
  const dependencies = options.dependencies ?? ['a'];
  const deps = dependencies
    .map((d) => `    - {name: ${d}, eventSourceName: hooks, eventName: ${d}}`)
    .join('\n');
  const payload = dependencies
    .map((d) => `            - src: {dependencyName: ${d}, dataKey: body.value}\n              dest: ${d}`)
    .join('\n');
  return `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: ${options.name ?? 'forward'}}
spec:
${options.spec ? `${options.spec}\n` : ''}  dependencies:
${deps}
  triggers:
    - template:
        name: to-sink
        http:
          url: ${sinkUrl}/received
          payload:
${payload}
${options.trigger ? `${options.trigger}\n` : ''}`;
}
