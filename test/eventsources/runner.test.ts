import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImpulseError, isImpulseError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import type { EventSource } from '../../crds/index.ts';
import { createMemoryBus, type EventBus } from '../../eventbus/index.ts';
import { sources } from '../../eventsources/all-sources.ts';
import { type RunEventSourceOptions, runEventSource } from '../../eventsources/index.ts';
import { servingCertificate } from '../support/kube-emulator/tls.ts';
import { freePort, occupyPort } from '../support/ports.ts';
import { within } from '../support/wait.ts';
import { postJson, send } from './http-client.ts';
import { type WebhookConfig, webhookEventSource } from './webhook-fixture.ts';

let bus: EventBus & AsyncDisposable;

beforeEach(() => {
  bus = createMemoryBus({ name: 'test' });
});

afterEach(async () => {
  await bus.close();
});

function options(
  extra: Partial<RunEventSourceOptions> = {},
  env: Record<string, string> = {},
): RunEventSourceOptions {
  return {
    bus,
    logger: silentLogger(),
    secrets: createSecretResolver({ env }),
    metrics: new Metrics(),
    host: '127.0.0.1',
    ...extra,
  };
}

async function hook(extra: Partial<WebhookConfig> = {}): Promise<WebhookConfig> {
  return { endpoint: '/hook', method: 'POST', port: String(await freePort()), ...extra };
}

async function startupError(object: EventSource, opts = options()): Promise<ImpulseError> {
  const err = await runEventSource(object, opts).then(
    (handle) => {
      void handle.close();
      throw new Error('expected a startup error');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImpulseError);
  return err as ImpulseError;
}

describe('runEventSource: startup errors', () => {
  it('rejects a source type that has no driver yet, naming the type and the event', async () => {
    const object: EventSource = {
      ...webhookEventSource('es', { ok: await hook() }),
      spec: { webhook: { ok: await hook() }, calendar: { example: { interval: '10s' } } },
    };
    // A registry without the calendar stands for a version of Impulse that lacks a source type.
    const err = await startupError(object, options({ registry: { webhook: sources.webhook } }));
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toBe(
      'source type "calendar" is not implemented in this version of Impulse (event spec.calendar.example)',
    );
  });

  it('rejects an event whose filter does not compile, naming the field', async () => {
    const err = await startupError(
      webhookEventSource('es', { f: await hook({ filter: { expression: 'body.a +' } }) }),
    );
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toMatch(/^spec\.webhook\.f\.filter\.expression: invalid expression "body\.a \+"/);
  });

  it('names a missing secret by its reference and field, never a value', async () => {
    const err = await startupError(
      webhookEventSource('es', { s: await hook({ authSecret: { name: 'hook', key: 'token' } }) }),
    );
    expect(err.code).toBe('SECRET_MISSING');
    expect(err.message).toMatch(/^spec\.webhook\.s\.authSecret: secret hook\/token not found/);
  });

  it('reports every broken event at once', async () => {
    const err = await startupError(
      webhookEventSource('es', {
        a: await hook({ authSecret: { name: 'x', key: 'y' } }),
        b: await hook({ filter: {} }),
      }),
    );
    expect(err.message).toMatch(/spec\.webhook\.a\.authSecret.*; spec\.webhook\.b\.filter/);
  });

  it('rejects two events on one port that disagree on TLS, naming both', async () => {
    const { cert, key } = await servingCertificate();
    const port = String(await freePort());
    const tls = {
      serverCertSecret: { name: 'tls', key: 'crt' },
      serverKeySecret: { name: 'tls', key: 'key' },
    };
    const err = await startupError(
      webhookEventSource('es', {
        secure: await hook({ port, endpoint: '/secure', ...tls }),
        plain: await hook({ port, endpoint: '/plain' }),
      }),
      options({}, { IMPULSE_SECRET_TLS_CRT: cert, IMPULSE_SECRET_TLS_KEY: key }),
    );
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain('spec.webhook.secure');
    expect(err.message).toContain('spec.webhook.plain');
    expect(err.message).toContain(`port ${port}`);
  });

  it('fails when a port is taken, naming the port and the event, and frees the ports it opened', async () => {
    await using occupied = await occupyPort();
    const other = await hook();
    const err = await startupError(
      webhookEventSource('es', { taken: await hook({ port: String(occupied.port) }), fine: other }),
    );
    expect(err.message).toBe(
      `cannot listen on port ${occupied.port} for spec.webhook.taken: the port is already in use`,
    );
    const refused = await postJson(`http://127.0.0.1:${other.port}/hook`, {}).catch(
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(refused).toBe('ECONNREFUSED');
  });
});

describe('runEventSource: lifecycle', () => {
  it('serves HTTPS on a port whose events name serverCertSecret and serverKeySecret', async () => {
    const { cert, key } = await servingCertificate();
    const config = await hook({
      serverCertSecret: { name: 'tls', key: 'crt' },
      serverKeySecret: { name: 'tls', key: 'key' },
    });
    await using handle = await runEventSource(
      webhookEventSource('es', { secure: config }),
      options({}, { IMPULSE_SECRET_TLS_CRT: cert, IMPULSE_SECRET_TLS_KEY: key }),
    );
    const url = `https://127.0.0.1:${config.port}/hook`;
    const answer = await send(url, { body: '{}', ca: cert });
    expect(answer.status).toBe(200);
    expect((await send(`https://127.0.0.1:${config.port}/health`, { method: 'GET', ca: cert })).status).toBe(
      200,
    );
    const plain = await send(`http://127.0.0.1:${config.port}/hook`, { body: '{}' }).then(
      (a) => a.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
    expect(handle.ready).toBe(true);
  });

  it('stops when its signal aborts', async () => {
    const stop = new AbortController();
    const config = await hook();
    const handle = await runEventSource(
      webhookEventSource('es', { a: config }),
      options({ signal: stop.signal }),
    );
    expect(handle.state).toBe('running');
    stop.abort();
    await within(handle.closed, 5000, 'closed');
    expect(handle.state).toBe('closed');
    expect(handle.health().ok).toBe(false);
  });

  it('closes itself, rejecting `closed`, when a driver fails while running', async () => {
    const config = await hook();
    let fail!: (err: Error) => void;
    const registry = {
      ...sources,
      calendar: () => ({
        start: (ctx: { ready(): void }) =>
          new Promise<void>((_, reject) => {
            ctx.ready();
            fail = reject;
          }),
      }),
    };
    const object: EventSource = {
      ...webhookEventSource('es', {}),
      spec: { webhook: { a: config }, calendar: { tick: { interval: '1s' } } },
    };
    const handle = await runEventSource(object, options({ registry }));
    expect(handle.ready).toBe(true);
    fail(new Error('lost the broker'));
    const err = await within(
      handle.closed.then(
        () => undefined,
        (e: unknown) => e,
      ),
      5000,
      'closed',
    );
    expect(isImpulseError(err)).toBe(true);
    expect((err as Error).message).toMatch(/spec\.calendar\.tick: lost the broker/);
    expect(handle.state).toBe('closed');
    // The webhook of the same EventSource was closed too.
    expect(
      await postJson(`http://127.0.0.1:${config.port}/hook`, {}).catch((e: NodeJS.ErrnoException) => e.code),
    ).toBe('ECONNREFUSED');
  });

  it('runs every cleanup step when one fails, and says which failed', async () => {
    const config = await hook();
    const registry = {
      ...sources,
      calendar: () => ({
        start: async (ctx: { ready(): void; signal: AbortSignal }) => {
          ctx.ready();
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          throw new ImpulseError('INTERNAL', 'could not flush');
        },
      }),
    };
    const object: EventSource = {
      ...webhookEventSource('es', {}),
      spec: { webhook: { a: config }, calendar: { tick: { interval: '1s' } } },
    };
    const handle = await runEventSource(object, options({ registry }));
    const err = await handle.close().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/spec\.calendar\.tick: could not flush/);
    expect(handle.state).toBe('closed');
    expect(
      await postJson(`http://127.0.0.1:${config.port}/hook`, {}).catch((e: NodeJS.ErrnoException) => e.code),
    ).toBe('ECONNREFUSED');
    // A second close waits for the first and reports the same.
    await expect(handle.close()).rejects.toThrow(/could not flush/);
  });
});
