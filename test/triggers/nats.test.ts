import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import type { Sensor, Trigger } from '../../crds/index.ts';
import { createCloudEvent } from '../../eventbus/index.ts';
import { createFiring, executeTrigger, type TriggerContext, triggers } from '../../triggers/index.ts';
import { SHARED_NATS_URL } from '../support/jetstream.ts';
import { ARGO_COMPAT_DIR } from '../support/paths.ts';
import { freePort } from '../support/ports.ts';
import { sensorFrom } from '../support/sensor-fixture.ts';
import { uniqueName } from '../support/unique.ts';
import { waitFor } from '../support/wait.ts';

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers: SHARED_NATS_URL });
});
afterAll(() => nc.close());

const secrets = createSecretResolver({ env: {} });
const ctx: TriggerContext = {
  signal: new AbortController().signal,
  logger: silentLogger(),
  secrets,
  working: () => undefined,
  emit: async () => undefined,
};
const sensor = { metadata: { name: 's' }, spec: { dependencies: [], triggers: [] } } as unknown as Sensor;

function firingWith(data: unknown) {
  return createFiring('default', 's', 't', {
    dep: createCloudEvent({
      id: uniqueName('e'),
      source: 'minio',
      type: 'webhook',
      subject: 'example',
      data,
    }),
  });
}

async function run(trigger: Trigger, firing = firingWith({ body: { message: 'hi', to: 'x' } })) {
  const driver = triggers.nats!({ sensor, trigger, secrets, logger: silentLogger() });
  try {
    return await executeTrigger(trigger, driver, firing, ctx);
  } finally {
    await driver.close?.();
  }
}

function collect(subject: string): Msg[] {
  const received: Msg[] = [];
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      received.push(msg);
    },
  });
  return received;
}

describe('nats trigger', () => {
  it('publishes the payload built from the events, with the firing id as Nats-Msg-Id', async () => {
    const subject = uniqueName('out');
    const received = collect(subject);
    await nc.flush();
    const firing = firingWith({ body: { message: 'hi' } });
    const outcome = await run(
      {
        template: {
          name: 't',
          nats: {
            url: SHARED_NATS_URL,
            subject,
            payload: [
              { src: { dependencyName: 'dep', dataKey: 'body.message' }, dest: 'text' },
              { src: { dependencyName: 'dep', value: 'fixed' }, dest: 'kind' },
            ],
          },
        },
      } as Trigger,
      firing,
    );
    expect(outcome).toEqual({ status: 'succeeded', detail: { subject } });
    await waitFor(() => received.length === 1);
    expect(received[0]!.json()).toEqual({ text: 'hi', kind: 'fixed' });
    expect(received[0]!.headers?.get('Nats-Msg-Id')).toBe(firing.id);
  });

  it('publishes to the subject the parameters patched in', async () => {
    const base = uniqueName('routed');
    const received = collect(`${base}.x`);
    await nc.flush();
    await run({
      template: {
        name: 't',
        nats: {
          url: SHARED_NATS_URL,
          subject: 'unused',
          payload: [{ src: { dependencyName: 'dep', dataKey: 'body' }, dest: '' }],
          parameters: [{ src: { dependencyName: 'dep', value: `${base}.x` }, dest: 'subject' }],
        },
      },
    } as unknown as Trigger);
    await waitFor(() => received.length === 1);
    expect(received[0]!.json()).toEqual({ message: 'hi', to: 'x' });
  });

  it('is stored once by a JetStream stream when the same firing is retried', async () => {
    const subject = uniqueName('captured');
    const stream = uniqueName('CAPTURE').replace(/-/g, '_');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
    try {
      const firing = firingWith({ body: { message: 'once' } });
      const trigger = {
        template: {
          name: 't',
          nats: {
            url: SHARED_NATS_URL,
            subject,
            payload: [{ src: { dependencyName: 'dep', dataKey: 'body' }, dest: '' }],
          },
        },
      } as unknown as Trigger;
      await run(trigger, firing);
      await run(trigger, firing);
      expect((await jsm.streams.info(stream)).state.messages).toBe(1);
    } finally {
      await jsm.streams.delete(stream);
    }
  });

  it('fails with a transient error when NATS cannot be reached, so the firing is retried', async () => {
    const port = await freePort();
    const err = await run({
      template: {
        name: 't',
        nats: { url: `nats://127.0.0.1:${port}`, subject: 'x', payload: [] },
      },
    } as unknown as Trigger).catch((e: unknown) => e);
    expect(isImpulseError(err, 'TRANSIENT')).toBe(true);
    expect((err as Error).message).toContain('cannot connect to NATS');
  });

  it("runs Argo Events' trigger-nats-messages example against the local NATS", async () => {
    const text = await readFile(join(ARGO_COMPAT_DIR, 'sensors/trigger-nats-messages.yaml'), 'utf8');
    const subject = uniqueName('minio-events');
    const local = sensorFrom(
      text
        .replace('url: nats.argo-events.svc:4222', `url: ${SHARED_NATS_URL}`)
        .replace('subject: minio-events', `subject: ${subject}`),
    );
    const received = collect(subject);
    await nc.flush();
    const trigger = local.spec.triggers[0]!;
    const driver = triggers.nats!({ sensor: local, trigger, secrets, logger: silentLogger() });
    const firing = createFiring('default', 'trigger-nats-messages', 'nats-trigger', {
      'test-dep': createCloudEvent({
        id: 'e1',
        source: 'minio',
        type: 'minio',
        subject: 'example',
        data: { notification: [{ s3: { object: { key: 'report.pdf' }, bucket: { name: 'docs' } } }] },
      }),
    });
    try {
      await executeTrigger(trigger, driver, firing, ctx);
    } finally {
      await driver.close?.();
    }
    await waitFor(() => received.length === 1);
    expect(received[0]!.json()).toEqual({ fileName: 'report.pdf', bucket: 'docs' });
  });
});
