/**
 * Baseline (a) of `npm run bench:e2e`: the least a webhook receiver can do. A bare Fastify handler
 * that publishes each request body to JetStream with a message id and answers once it is acked.
 * Uses nats.js directly, none of Impulse's code; plain JavaScript, run by node as Impulse's
 * compiled processes are. Args: PORT NATS_URL STREAM.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Fastify from 'fastify';

const [port, url, stream] = process.argv.slice(2);
// The same client options as Impulse's bus, so the baseline pays no cost Impulse avoids.
const nc = await connect({ servers: url, noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] }).catch(() => undefined);
const js = jetstream(nc);

const app = Fastify();
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/hook', async (request, reply) => {
  const ack = await js.publish(`${stream}.bare.hook`, request.body, { msgID: randomUUID() });
  return reply.send({ seq: ack.seq });
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await app.close();
  await nc.drain();
  process.exit(0);
});
