import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { waitFor } from './wait.ts';

export interface NatsServerOptions {
  /** The server's `max_payload` in bytes. @default the server's own (1 MiB) */
  maxPayload?: number;
  /** More server configuration (e.g. a `tls { ... }` block), appended to the config file. */
  config?: string;
  /** How long `start()` waits for the server to answer. @default 10000 */
  startTimeoutMs?: number;
}

/** A private nats-server with JetStream, for tests that stop and restart it. */
export interface NatsServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** The JetStream store, kept across `stop()` and `start()`. */
  readonly storeDir: string;
  readonly running: boolean;
  /** Starts the server again on the same port and store. */
  start(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); the store stays. */
  stop(): Promise<void>;
  /** Stops the server and removes its store. */
  close(): Promise<void>;
}

/** Finds `nats-server` on PATH or in the Debian package's place (/usr/sbin, often not on PATH). */
export function natsServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/bin', '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('nats-server not found on PATH or in /usr/sbin; install the Debian package nats-server');
}

/** Starts a nats-server with JetStream on a free loopback port and a temporary store. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = natsServerBinary();
  const storeDir = await mkdtemp(join(tmpdir(), 'impulse-nats-'));
  const port = await freePort();
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir];
  if (options.maxPayload !== undefined || options.config !== undefined) {
    const config = join(storeDir, 'nats.conf');
    const maxPayload = options.maxPayload !== undefined ? `max_payload: ${options.maxPayload}\n` : '';
    await writeFile(config, `${maxPayload}${options.config ?? ''}\n`);
    args.push('-c', config);
  }
  const server = new PrivateNatsServer(binary, args, port, storeDir, options.startTimeoutMs ?? 10_000);
  try {
    await server.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}

class PrivateNatsServer implements NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly #binary: string;
  readonly #args: string[];
  readonly #startTimeoutMs: number;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #output = '';
  #closing: Promise<void> | undefined;

  constructor(binary: string, args: string[], port: number, storeDir: string, startTimeoutMs: number) {
    this.#binary = binary;
    this.#args = args;
    this.port = port;
    this.storeDir = storeDir;
    this.url = `nats://127.0.0.1:${port}`;
    this.#startTimeoutMs = startTimeoutMs;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  async start(): Promise<void> {
    if (this.#closing) throw new Error('nats-server launcher is closed');
    if (this.#child) return;
    const child = spawn(this.#binary, this.#args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#output = '';
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    try {
      await waitFor(
        async () => {
          if (this.#child !== child) throw new Error(`nats-server exited:\n${this.#output}`);
          return answers(this.port);
        },
        { timeoutMs: this.#startTimeoutMs, intervalMs: 25, message: `nats-server on port ${this.port}` },
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.#exited;
    clearTimeout(killer);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.stop();
      await rm(this.storeDir, { recursive: true, force: true });
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Whether a NATS server answers on `port` (it greets every client with an INFO line). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('INFO')));
    socket.once('error', () => done(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}
