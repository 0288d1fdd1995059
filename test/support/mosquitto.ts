import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

/** The machine's shared broker, which every test may use with topics of its own. */
export const SHARED_MQTT_URL = process.env.IMPULSE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** A private Mosquitto for tests that count messages (the shared one drops beyond 1000 queued). */
export interface Mosquitto extends AsyncDisposable {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts `mosquitto` on a free loopback port with `max_queued_messages 0` (no limit), so the
 * broker's own queue limit is never counted as a lost message.
 */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'impulse-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  await writeFile(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      'max_inflight_messages 100',
      'log_dest none',
      '',
    ].join('\n'),
  );
  // Debian installs it in /usr/sbin, often not on a user's PATH.
  const binary = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';
  const child: ChildProcess = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`mosquitto exited: ${output}`);
        return answers(port);
      },
      { timeoutMs: 10_000, message: `mosquitto on port ${port}` },
    );
  } catch (err) {
    await close();
    throw err;
  }
  return { port, url: `mqtt://127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
