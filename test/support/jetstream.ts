import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** The NATS every test may use; tests that stop NATS start their own (support/nats-server.ts). */
export const SHARED_NATS_URL = process.env.IMPULSE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A fresh EventBus name, so a test's stream, consumers and buckets are its own. */
export function testBusName(): string {
  return `t${randomUUID().slice(0, 8)}`;
}

/** Deletes the stream of bus `name`, its dead-letter stream and the KV buckets named after it. */
export async function removeBusTraces(name: string, url = SHARED_NATS_URL): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.names()) {
      if (stream === name || stream === `${name}-deadletters` || stream.startsWith(`KV_${name}-`))
        await jsm.streams.delete(stream);
    }
  } finally {
    await nc.close();
  }
}

/** How many messages the stream of bus `name` holds. */
export async function streamMessages(name: string, url = SHARED_NATS_URL): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(name)).state.messages;
  } finally {
    await nc.close();
  }
}
