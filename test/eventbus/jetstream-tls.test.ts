import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type BusConnectionSettings, resolveBusConnection } from '../../cli/bus-connection.ts';
import { ImpulseError } from '../../core/errors.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import type { EventBus as EventBusObject } from '../../crds/index.ts';
import { createCloudEvent, createEventBus, eventSubject, messageId } from '../../eventbus/index.ts';
import { startImpulse } from '../support/impulse-process.ts';
import { type NatsServer, startNatsServer } from '../support/nats-server.ts';
import { freePort } from '../support/ports.ts';

const run = promisify(execFile);

interface Pki {
  dir: string;
  /** File paths. */
  ca: string;
  otherCa: string;
  clientCert: string;
  clientKey: string;
  serverCert: string;
  serverKey: string;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate it signed, and an unrelated CA. */
async function makePki(): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), 'impulse-bus-tls-'));
  const f = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const selfSigned = (name: string) =>
    run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.crt`),
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
  const signed = async (name: string, ext?: string) => {
    await run('openssl', [
      'req',
      ...ec,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    ]);
    const extArgs = ext ? ['-extfile', f(`${name}.ext`)] : [];
    if (ext) await writeFile(f(`${name}.ext`), `${ext}\n`);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.crt`),
      '-days',
      '2',
      ...extArgs,
    ]);
  };
  await selfSigned('ca');
  await selfSigned('other-ca');
  await signed('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  await signed('client');
  return {
    dir,
    ca: f('ca.crt'),
    otherCa: f('other-ca.crt'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
  };
}

let pki: Pki;
let tlsServer: NatsServer;
let mtlsServer: NatsServer;

beforeAll(async () => {
  pki = await makePki();
  const tls = (verify: boolean) =>
    `tls { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}", ca_file: "${pki.ca}", verify: ${verify}, timeout: 2 }`;
  [tlsServer, mtlsServer] = await Promise.all([
    startNatsServer({ config: tls(false) }),
    startNatsServer({ config: tls(true) }),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([tlsServer?.close(), mtlsServer?.close()]);
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

const busName = () => `tls${randomUUID().slice(0, 8)}`;

/** Connects with `settings`, publishes one event and returns the stream sequence JetStream gave it. */
async function publishOne(settings: BusConnectionSettings): Promise<number> {
  const bus = await createEventBus({ ...settings, signal: AbortSignal.timeout(10_000) });
  try {
    const event = createCloudEvent({ source: 'src', type: 'webhook', subject: 'ev', data: { ok: true } });
    return (
      await bus.publish(eventSubject(bus.name, 'src', 'ev'), event, {
        msgId: messageId('src', 'ev', event.id),
      })
    ).seq;
  } finally {
    await bus.close();
  }
}

function eventBusObject(name: string, url: string, tls: Record<string, unknown>): EventBusObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventBus',
    metadata: { name },
    spec: { jetstreamExotic: { url, tls } },
  } as EventBusObject;
}

describe('EventBus over TLS', () => {
  it('connects to a TLS NATS with the CA named by IMPULSE_BUS_TLS_CA_FILE', async () => {
    const settings = resolveBusConnection({
      url: tlsServer.url,
      name: busName(),
      env: { IMPULSE_BUS_TLS_CA_FILE: pki.ca },
    });
    expect(settings.tls?.ca).toBe(await readFile(pki.ca, 'utf8'));
    expect(await publishOne(settings)).toBe(1);
  });

  it('connects with an EventBus block whose tls secrets come from IMPULSE_SECRETS_DIR', async () => {
    const secretsDir = join(pki.dir, `secrets-${randomUUID()}`);
    await run('mkdir', ['-p', join(secretsDir, 'nats-ca')]);
    await writeFile(join(secretsDir, 'nats-ca', 'ca.crt'), await readFile(pki.ca, 'utf8'));
    const name = busName();
    const settings = resolveBusConnection({
      eventBus: eventBusObject(name, tlsServer.url, { caCertSecret: { name: 'nats-ca', key: 'ca.crt' } }),
      eventBusName: name,
      env: {},
      secrets: createSecretResolver({ dir: secretsDir, env: {} }),
    });
    expect(settings.url).toBe(tlsServer.url);
    expect(settings.tlsSetting).toBe(`EventBus ${name}: spec.jetstreamExotic.tls`);
    expect(await publishOne(settings)).toBe(1);
  });

  it('a CA that did not sign the server certificate fails at once, naming the setting', async () => {
    const settings = resolveBusConnection({
      url: tlsServer.url,
      name: busName(),
      env: { IMPULSE_BUS_TLS_CA_FILE: pki.otherCa },
    });
    const started = Date.now();
    const err = await publishOne(settings).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImpulseError);
    expect((err as ImpulseError).code).toBe('PERMANENT');
    expect((err as Error).message).toContain('TLS failed');
    expect((err as Error).message).toContain(`IMPULSE_BUS_TLS_CA_FILE (${pki.otherCa})`);
    // Not waited out like a server that is away (that would run into the 10 s signal).
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('mutual TLS: the client certificate and key from IMPULSE_BUS_TLS_CERT_FILE and _KEY_FILE', async () => {
    const settings = resolveBusConnection({
      url: mtlsServer.url,
      name: busName(),
      env: {
        IMPULSE_BUS_TLS_CA_FILE: pki.ca,
        IMPULSE_BUS_TLS_CERT_FILE: pki.clientCert,
        IMPULSE_BUS_TLS_KEY_FILE: pki.clientKey,
      },
    });
    expect(await publishOne(settings)).toBe(1);
  });

  it('mutual TLS from an EventBus block with insecureSkipVerify keeps the client certificate', async () => {
    const env = {
      IMPULSE_SECRET_NATS_CLIENT_TLS_CRT: await readFile(pki.clientCert, 'utf8'),
      IMPULSE_SECRET_NATS_CLIENT_TLS_KEY: await readFile(pki.clientKey, 'utf8'),
    };
    const settings = resolveBusConnection({
      eventBus: eventBusObject('insecure', mtlsServer.url, {
        insecureSkipVerify: true,
        clientCertSecret: { name: 'nats-client', key: 'tls.crt' },
        clientKeySecret: { name: 'nats-client', key: 'tls.key' },
      }),
      name: busName(),
      env,
    });
    expect(settings.tls?.rejectUnauthorized).toBe(false);
    expect(await publishOne(settings)).toBe(1);
  });

  it('configuration errors name the variable, the path or the EventBus field', () => {
    const missing = join(pki.dir, 'nope.crt');
    expect(() => resolveBusConnection({ env: { IMPULSE_BUS_TLS_CA_FILE: missing } })).toThrow(
      `IMPULSE_BUS_TLS_CA_FILE: cannot read ${missing} (ENOENT)`,
    );
    expect(() => resolveBusConnection({ env: { IMPULSE_BUS_TLS_CERT_FILE: pki.clientCert } })).toThrow(
      /^IMPULSE_BUS_TLS_KEY_FILE: client certificates need both/,
    );
    expect(() => resolveBusConnection({ env: { IMPULSE_BUS_TLS_INSECURE: 'yes' } })).toThrow(
      'IMPULSE_BUS_TLS_INSECURE: expected true or false, got "yes"',
    );
    const bus = eventBusObject('b1', tlsServer.url, { caCertSecret: { name: 'absent', key: 'ca.crt' } });
    expect(() => resolveBusConnection({ eventBus: bus, env: {} })).toThrow(
      /^EventBus b1: spec\.jetstreamExotic\.tls\.caCertSecret: secret absent\/ca\.crt not found/,
    );
    const creds = {
      ...bus,
      spec: { jetstreamExotic: { url: 'nats://x', accessSecret: { name: 'c', key: 'k' } } },
    };
    expect(() => resolveBusConnection({ eventBus: creds as EventBusObject, env: {} })).toThrow(
      /^EventBus b1: spec\.jetstreamExotic\.accessSecret: secret c\/k not found/,
    );
    // The environment wins over the file's EventBus, as for the URL.
    const fromEnv = resolveBusConnection({ eventBus: bus, env: { IMPULSE_BUS_TLS_CA_FILE: pki.ca } });
    expect(fromEnv.tlsSetting).toBe(`IMPULSE_BUS_TLS_CA_FILE (${pki.ca})`);
  });
});

describe('impulse eventsource on a TLS EventBus', { timeout: 30_000 }, () => {
  async function eventSourceFile(eventBus?: EventBusObject): Promise<{ file: string; port: number }> {
    const port = await freePort();
    const eventSource = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'EventSource',
      metadata: { name: `es${randomUUID().slice(0, 6)}` },
      spec: {
        ...(eventBus ? { eventBusName: eventBus.metadata.name } : {}),
        webhook: { push: { port: String(port), endpoint: '/push', method: 'POST' } },
      },
    };
    const file = join(pki.dir, `${eventSource.metadata.name}.yaml`);
    await writeFile(
      file,
      [eventBus, eventSource]
        .filter(Boolean)
        .map((o) => stringify(o))
        .join('---\n'),
    );
    return { file, port };
  }

  const post = (port: number) =>
    fetch(`http://127.0.0.1:${port}/push`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });

  it('stores events through the CA the controller mounts (IMPULSE_BUS_TLS_CA_FILE)', async () => {
    const { file, port } = await eventSourceFile();
    await using p = await startImpulse('eventsource', ['eventsource', '-f', file], {
      env: { IMPULSE_BUS_URL: tlsServer.url, IMPULSE_BUS_NAME: busName(), IMPULSE_BUS_TLS_CA_FILE: pki.ca },
    });
    await p.healthy(15_000);
    expect((await post(port)).status).toBe(200);
  });

  it('stores events through an EventBus block and IMPULSE_SECRET_* in the same file', async () => {
    const name = busName();
    const { file, port } = await eventSourceFile(
      eventBusObject(name, mtlsServer.url, {
        caCertSecret: { name: 'nats-tls', key: 'ca.crt' },
        clientCertSecret: { name: 'nats-tls', key: 'tls.crt' },
        clientKeySecret: { name: 'nats-tls', key: 'tls.key' },
      }),
    );
    await using p = await startImpulse('eventsource', ['eventsource', '-f', file], {
      env: {
        IMPULSE_SECRET_NATS_TLS_CA_CRT: await readFile(pki.ca, 'utf8'),
        IMPULSE_SECRET_NATS_TLS_TLS_CRT: await readFile(pki.clientCert, 'utf8'),
        IMPULSE_SECRET_NATS_TLS_TLS_KEY: await readFile(pki.clientKey, 'utf8'),
      },
    });
    await p.healthy(15_000);
    expect((await post(port)).status).toBe(200);
  });

  it('exits 1 with a message naming the EventBus field when its CA does not match', async () => {
    const name = busName();
    const { file } = await eventSourceFile(
      eventBusObject(name, tlsServer.url, { caCertSecret: { name: 'wrong-ca', key: 'ca.crt' } }),
    );
    await using p = await startImpulse('eventsource', ['eventsource', '-f', file], {
      env: { IMPULSE_SECRET_WRONG_CA_CA_CRT: await readFile(pki.otherCa, 'utf8') },
    });
    expect((await p.exited).code).toBe(1);
    const error = p.logs.find((l) => l.level === 'error' || l.code === 'PERMANENT');
    expect(String(error?.msg)).toContain(`TLS failed`);
    expect(String(error?.msg)).toContain(`check EventBus ${name}: spec.jetstreamExotic.tls`);
  });
});
