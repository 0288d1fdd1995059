import { afterAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../eventbus/index.ts';
import { runCli } from '../support/cli.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';

const busName = testBusName();
afterAll(async () => {
  await removeBusTraces(busName);
});

describe('impulse send', () => {
  it('publishes a CloudEvent as an EventSource would, and stores a repeated id once', async () => {
    const args = [
      'send',
      '--source',
      'hooks',
      '--event',
      'push',
      '--id',
      'evt-1',
      '--data',
      '{"body":{"ref":"main"}}',
      '--bus',
      SHARED_NATS_URL,
      '--bus-name',
      busName,
    ];
    const first = await runCli(args);
    expect(first.stderr).toContain(`connecting to ${SHARED_NATS_URL}`);
    expect(first.stdout).toMatch(new RegExp(`^stored: id evt-1, stream ${busName} sequence 1\\n$`));
    expect(first.code).toBe(0);

    const again = await runCli(args);
    expect(again.stdout).toMatch(/^already stored: id evt-1/);

    await using bus = await createEventBus({ url: SHARED_NATS_URL, name: busName });
    expect(await bus.getEvent(1)).toMatchObject({
      id: 'evt-1',
      source: 'hooks',
      subject: 'push',
      type: 'webhook',
      datacontenttype: 'application/json',
      data: { body: { ref: 'main' } },
    });
  });

  it('reads the data from standard input', async () => {
    const result = await runCli(
      ['send', '--source', 'hooks', '--event', 'push', '--file', '-', '--bus-name', busName],
      {
        input: '{"n": 1}',
        env: { IMPULSE_BUS_URL: SHARED_NATS_URL },
      },
    );
    expect(result.stdout).toMatch(/^stored: id [0-9a-f-]{36}, stream/);
  });

  it('refuses data that is not JSON, with exit code 2', async () => {
    const result = await runCli([
      'send',
      '--source',
      'hooks',
      '--event',
      'push',
      '--data',
      '{nope',
      '--bus-name',
      busName,
    ]);
    expect(result.stderr).toMatch(/^impulse: --data: the event data is not valid JSON/);
    expect(result.code).toBe(2);
  });

  it('says so, and exits 2, when the bus does not answer', async () => {
    const result = await runCli([
      'send',
      '--source',
      'h',
      '--event',
      'e',
      '--data',
      '{}',
      '--bus',
      'nats://127.0.0.1:1',
      '--timeout',
      '1',
    ]);
    expect(result.stderr).toMatch(/impulse: cannot reach the EventBus at nats:\/\/127\.0\.0\.1:1 within 1 s/);
    expect(result.code).toBe(2);
  });
});
