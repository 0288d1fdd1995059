import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import { createNatsSource } from '../../../eventsources/nats/index.ts';
import { SHARED_NATS_URL } from '../../support/jetstream.ts';
import { uniqueName } from '../../support/unique.ts';
import { waitFor, within } from '../../support/wait.ts';
import { recording, sourceInit } from '../source-fixture.ts';

let publisher: NatsConnection;
beforeAll(async () => {
  publisher = await connect({ servers: SHARED_NATS_URL });
});
afterAll(() => publisher.close());

describe('nats source', () => {
  it('hands over {subject, body, header} for a wildcard subject', async () => {
    const base = uniqueName('orders');
    const driver = createNatsSource(
      sourceInit('nats', {
        url: SHARED_NATS_URL,
        subject: `${base}.>`,
        jsonBody: true,
        metadata: { a: 'b' },
      }),
    );
    const rec = recording();
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    const h = headers();
    h.append('X-Trace', 'abc');
    h.append('X-Trace', 'def');
    publisher.publish(`${base}.eu.new`, '{"id":1}', { headers: h });
    publisher.publish(`${base}.us.new`, '{"id":2}');
    await publisher.flush();
    await waitFor(() => rec.events.length === 2);
    expect(rec.events.map((e) => e.payload)).toEqual([
      {
        subject: `${base}.eu.new`,
        body: { id: 1 },
        header: { 'X-Trace': ['abc', 'def'] },
        metadata: { a: 'b' },
      },
      { subject: `${base}.us.new`, body: { id: 2 }, metadata: { a: 'b' } },
    ]);
    rec.stop();
    await within(running, 5000);
  });

  it('shares the messages of a queue group, and authenticates with a token from a secret', async () => {
    const subject = uniqueName('work');
    const make = () =>
      createNatsSource(
        sourceInit(
          'nats',
          {
            url: SHARED_NATS_URL,
            subject,
            queue: 'workers',
            auth: { token: { name: 'nats', key: 'token' } },
          },
          // The shared server has no auth: a token is sent and ignored, which shows it is read and used.
          { secrets: createSecretResolver({ env: { IMPULSE_SECRET_NATS_TOKEN: 'not-needed' } }) },
        ),
      );
    const a = recording();
    const b = recording();
    const runs = [make().start(a.ctx), make().start(b.ctx)];
    await waitFor(() => a.readyCalls > 0 && b.readyCalls > 0);
    for (let i = 0; i < 20; i++) publisher.publish(subject, String(i));
    await publisher.flush();
    await waitFor(() => a.events.length + b.events.length === 20);
    a.stop();
    b.stop();
    await within(Promise.all(runs), 5000);
  });

  it('counts messages the bus cannot take as dropped (core NATS is at-most-once)', async () => {
    const subject = uniqueName('lost');
    const driver = createNatsSource(sourceInit('nats', { url: SHARED_NATS_URL, subject }));
    const rec = recording();
    rec.ctx.dispatch = async () => {
      throw new ImpulseError('BUS_UNAVAILABLE', 'away');
    };
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    publisher.publish(subject, 'x');
    await waitFor(() => rec.dropped === 1);
    rec.stop();
    await within(running, 5000);
  });
});
