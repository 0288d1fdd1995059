import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as socketConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, nkeys } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import { createNatsSource } from '../../../eventsources/nats/index.ts';
import { natsServerBinary } from '../../support/nats-server.ts';
import { freePort } from '../../support/ports.ts';
import { waitFor, within } from '../../support/wait.ts';
import { recording, sourceInit } from '../source-fixture.ts';

/** A private nats-server that accepts a token, a user with a password, and an nkey user. */
let server: ChildProcess;
let port: number;
let dir: string;
const nkeyUser = nkeys.createUser();
const seed = new TextDecoder().decode(nkeyUser.getSeed());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'impulse-nats-auth-'));
  port = await freePort();
  const config = join(dir, 'nats.conf');
  await writeFile(
    config,
    `listen: 127.0.0.1:${port}
authorization {
  users: [
    {user: alice, password: "s3cret-pass"}
    {nkey: ${nkeyUser.getPublicKey()}}
  ]
}
`,
  );
  server = spawn(natsServerBinary(), ['-c', config], { stdio: 'ignore' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = socketConnect({ host: '127.0.0.1', port }, () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    { message: 'nats-server' },
  );
});
afterAll(async () => {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
  await rm(dir, { recursive: true, force: true });
});

const env = {
  IMPULSE_SECRET_NATS_USER: 'alice',
  IMPULSE_SECRET_NATS_PASS: 's3cret-pass',
  IMPULSE_SECRET_NATS_WRONG: 'not-the-pass',
  IMPULSE_SECRET_NATS_SEED: seed,
};

function source(auth: Record<string, unknown>) {
  return createNatsSource(
    sourceInit(
      'nats',
      {
        url: `nats://127.0.0.1:${port}`,
        subject: 'auth.test',
        auth,
        connectionBackoff: { duration: '50ms', steps: 2, jitter: 0 },
      },
      { secrets: createSecretResolver({ env }) },
    ),
  );
}

async function receives(auth: Record<string, unknown>) {
  const rec = recording();
  const running = source(auth).start(rec.ctx);
  await waitFor(() => rec.readyCalls > 0);
  const nc = await connect({ servers: `127.0.0.1:${port}`, user: 'alice', pass: 's3cret-pass' });
  nc.publish('auth.test', 'hello');
  await nc.flush();
  await waitFor(() => rec.events.length === 1);
  await nc.close();
  rec.stop();
  await within(running, 5000);
}

describe('nats source authentication', () => {
  it('connects with a user and password from secrets', async () => {
    await receives({
      basic: { username: { name: 'nats', key: 'user' }, password: { name: 'nats', key: 'pass' } },
    });
  });

  it('connects with an nkey seed from a secret', async () => {
    await receives({ nkey: { name: 'nats', key: 'seed' } });
  });

  it('fails with a clear error that names the server and shows no password', async () => {
    const rec = recording();
    const err = await source({
      basic: { username: { name: 'nats', key: 'user' }, password: { name: 'nats', key: 'wrong' } },
    })
      .start(rec.ctx)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImpulseError);
    expect((err as Error).message).toMatch(
      new RegExp(`cannot connect to nats://127\\.0\\.0\\.1:${port} \\(2 attempts\\)`),
    );
    expect((err as Error).message).not.toContain('not-the-pass');
  });

  it('refuses two kinds of auth at once, naming the field', () => {
    expect(() =>
      source({ token: { name: 'nats', key: 'user' }, nkey: { name: 'nats', key: 'seed' } }),
    ).toThrow('spec.nats.example.auth: set one of basic, token, nkey or credential, found token and nkey');
  });
});
