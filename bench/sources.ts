/**
 * `npm run bench:sources`: how fast the schedule and queue sources put messages onto the bus, on this
 * machine, each source an `impulse eventsource` process (compiled) on a private nats-server.
 *   - baseline: raw JetStream publishes of an event-sized message, pipelined (up to 256 unanswered),
 *     measured again right before each source
 *   - acknowledging sources, each draining a backlog prepared before it starts: AMQP (ack after the
 *     durable publish), MQTT QoS 1 (PUBACK after it), Redis Streams (XACK after it, at the default
 *     10 entries per read and at 200)
 *   - at-most-once sources, flooded while running: core NATS and Redis pub/sub (drops are counted)
 *   - calendar: lateness of 60 one-second ticks (stored time minus scheduled time); `BENCH_CALENDAR=0`
 *     skips it for a quick run
 * Rates are messages stored per second, from the first stored message to the last (JetStream's
 * timestamps), and each is printed as a ratio to the baseline. Goals: each acknowledging source at
 * least 30% of the baseline; calendar lateness p99 under 50 ms.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect as natsConnect } from '@nats-io/transport-node';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { connectAsync } from 'mqtt';
import { SERVICE_NODE_FLAGS } from '../core/node-flags.ts';
import { startMosquitto } from '../test/support/mosquitto.ts';
import { startNatsServer } from '../test/support/nats-server.ts';
import { freePort } from '../test/support/ports.ts';
import { type BenchProcess, percentile, REPO, startProcess, untilHealthy } from './support/processes.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const CALENDAR = process.env.BENCH_CALENDAR !== '0';
/** `BENCH_ONLY=mqtt,calendar` runs only those parts (amqp, mqtt, redisStream, nats, redis, calendar). */
const ONLY = process.env.BENCH_ONLY?.split(',');
const want = (part: string) => !ONLY || ONLY.includes(part);
const TICKS = 60;
const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS = { host: '127.0.0.1', port: 6379 };
const say = (line: string) => process.stdout.write(`${line}\n`);
const tag = () => randomUUID().slice(0, 8);
/** A body of the size a small JSON message has. */
const body = (n: number) =>
  JSON.stringify({ n, id: randomUUID(), message: 'hello from bench', at: Date.now() });

say('building dist/ (npm run build)');
try {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
} catch {
  // tsc still writes dist/ when it finds type errors; the figures are then of that code.
  say('tsc reported errors (above); measuring the code it emitted anyway');
}
const CLI = 'dist/cli/main.js';

const nats = await startNatsServer();
const nc: NatsConnection = await natsConnect({ servers: nats.url, noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
const dir = await mkdtemp(join(tmpdir(), 'impulse-bench-sources-'));
const cleanups: Array<() => Promise<unknown>> = [];

/** Runs `impulse eventsource` on bus `bus` with `yaml` until stopped. */
async function eventSource(bus: string, yaml: string): Promise<BenchProcess> {
  const file = join(dir, `${bus}.yaml`);
  await writeFile(file, yaml);
  const metrics = await freePort();
  const p = await startProcess(
    `eventsource ${bus}`,
    [
      ...SERVICE_NODE_FLAGS,
      CLI,
      'eventsource',
      '-f',
      file,
      '--bus',
      nats.url,
      '--metrics-port',
      String(metrics),
    ],
    /eventsource running/,
    { LOG_LEVEL: 'info', IMPULSE_BUS_NAME: bus },
  );
  await untilHealthy(`http://127.0.0.1:${metrics}/health`);
  return p;
}

/** Waits until stream `bus` holds `count` messages (or nothing new came for 5 s); the stored rate. */
async function storedRate(bus: string, count: number): Promise<{ stored: number; rate: number }> {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const info = await jsm.streams.info(bus).catch(() => undefined);
    const stored = info?.state.messages ?? 0;
    if (stored !== last) {
      last = stored;
      lastChange = Date.now();
    }
    if (info && (stored >= count || Date.now() - lastChange > 5000)) {
      const first = Date.parse(info.state.first_ts);
      const end = Date.parse(info.state.last_ts);
      return { stored, rate: stored > 1 && end > first ? ((stored - 1) * 1000) / (end - first) : Number.NaN };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function report(name: string, rate: number, baseline: number, extra = '', goal = true) {
  const ratio = rate / baseline;
  const verdict = goal ? `   goal >= 30%: ${ratio >= 0.3 ? 'met' : 'NOT met'}` : '';
  say(
    `${name.padEnd(34)} ${rate.toFixed(0).padStart(7)} msg/s  ${(ratio * 100).toFixed(1).padStart(5)}% of ${baseline.toFixed(0)}${extra}${verdict}`,
  );
}

/** Raw JetStream publishes of an event-sized message, pipelined (up to 256 unanswered): msg/s. */
async function rawRate(): Promise<number> {
  const stream = `raw${tag()}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const sample = JSON.stringify({
    specversion: '1.0',
    id: randomUUID(),
    source: 'bench',
    type: 'amqp',
    subject: 'orders',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { contentType: '', routingKey: 'orders', messageId: '', body: JSON.parse(body(1)) },
  });
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < MESSAGES; i++) {
    const p = js.publish(`${stream}.x`, sample, { msgID: `raw-${i}` }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 256) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const rate = (MESSAGES * 1000) / (performance.now() - started);
  await jsm.streams.delete(stream);
  return rate;
}

try {
  say(`nats-server on ${nats.url}; ${MESSAGES} messages per source`);

  let baseline = await rawRate();
  say(`${'raw JetStream publish (baseline)'.padEnd(34)} ${baseline.toFixed(0).padStart(7)} msg/s  100.0%`);
  /** Measures the baseline again right before a source, so a busy moment of the machine hits both. */
  const rebase = async () => {
    baseline = await rawRate();
  };
  /** Starts the EventSource on a backlog already waiting for it and reports its drain rate. */
  const drainBacklog = async (label: string, bus: string, yaml: string) => {
    await rebase();
    const p = await eventSource(bus, yaml);
    const { stored, rate } = await storedRate(bus, MESSAGES);
    const rss = p.peakRssMb();
    await p.stop();
    report(label, rate, baseline, `  ${stored} stored, peak RSS ${rss.toFixed(0)} MB`);
  };

  // AMQP: a backlog in a named queue, drained by the source.
  if (want('amqp')) {
    const bus = `amqp${tag()}`;
    const exchange = `bench-${bus}`;
    const queue = `bench-${bus}`;
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createConfirmChannel();
    await ch.assertExchange(exchange, 'fanout', { durable: true });
    await ch.assertQueue(queue, { durable: false, exclusive: false, autoDelete: false });
    await ch.bindQueue(queue, exchange, 'orders');
    for (let i = 0; i < MESSAGES; i++) ch.publish(exchange, 'orders', Buffer.from(body(i)));
    await ch.waitForConfirms();
    cleanups.push(async () => {
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.deleteExchange(exchange).catch(() => undefined);
      await connection.close();
    });
    await drainBacklog(
      'amqp (ack after publish)',
      bus,
      `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: bench}
spec:
  amqp:
    orders:
      url: ${AMQP_URL}
      exchangeName: ${exchange}
      exchangeType: fanout
      routingKey: orders
      jsonBody: true
      queueDeclare: {name: ${queue}, durable: false, exclusive: false}
`,
    );
  }

  // MQTT QoS 1: a persistent session that queued a backlog while the source was away.
  if (want('mqtt')) {
    const broker = await startMosquitto();
    cleanups.push(() => broker.close());
    const bus = `mqtt${tag()}`;
    const clientId = `bench-${bus}`;
    const session = await connectAsync(broker.url, { clientId, clean: false });
    await session.subscribeAsync('bench/orders', { qos: 1 });
    await session.endAsync();
    const publisher = await connectAsync(broker.url);
    for (let i = 0; i < MESSAGES; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, MESSAGES - i) }, (_, k) =>
          publisher.publishAsync('bench/orders', body(i + k), { qos: 1 }),
        ),
      );
    }
    await publisher.endAsync();
    await drainBacklog(
      'mqtt QoS 1 (PUBACK after publish)',
      bus,
      `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: bench}
spec:
  mqtt:
    orders:
      url: tcp://127.0.0.1:${broker.port}
      topic: bench/orders
      clientId: ${clientId}
      qos: 1
      jsonBody: true
`,
    );
  }

  // Redis Streams: a backlog in a stream whose group starts at its beginning.
  for (const perRead of want('redisStream') ? [10, 200] : []) {
    const bus = `rs${tag()}`;
    const stream = `bench-${bus}`;
    const redis = new Redis(REDIS);
    await redis.xgroup('CREATE', stream, 'bench', '0', 'MKSTREAM');
    for (let i = 0; i < MESSAGES; i += 1000) {
      const pipe = redis.pipeline();
      for (let k = i; k < Math.min(MESSAGES, i + 1000); k++)
        pipe.xadd(stream, '*', 'n', String(k), 'body', body(k));
      await pipe.exec();
    }
    cleanups.push(async () => {
      await redis.del(stream);
      redis.disconnect();
    });
    await drainBacklog(
      `redisStream (XACK after, ${perRead}/read)`,
      bus,
      `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: bench}
spec:
  redisStream:
    orders:
      hostAddress: ${REDIS.host}:${REDIS.port}
      streams: [${stream}]
      consumerGroup: bench
      maxMsgCountPerRead: ${perRead}
`,
    );
  }

  // At-most-once sources: flooded while running; what they store, and what they drop.
  if (want('nats')) {
    const bus = `nats${tag()}`;
    const subject = `bench.${bus}`;
    await rebase();
    const p = await eventSource(
      bus,
      `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: bench}
spec:
  nats:
    orders: {url: "${nats.url}", subject: ${subject}, jsonBody: true}
`,
    );
    for (let i = 0; i < MESSAGES; i++) nc.publish(subject, body(i));
    await nc.flush();
    const { stored, rate } = await storedRate(bus, MESSAGES);
    await p.stop();
    report('nats (at most once)', rate, baseline, `  ${stored} stored, ${MESSAGES - stored} dropped`, false);
  }
  if (want('redis')) {
    const bus = `redis${tag()}`;
    const channel = `bench-${bus}`;
    await rebase();
    const p = await eventSource(
      bus,
      `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: bench}
spec:
  redis:
    orders: {hostAddress: "${REDIS.host}:${REDIS.port}", channels: [${channel}], jsonBody: true}
`,
    );
    const redis = new Redis(REDIS);
    const pipe = redis.pipeline();
    for (let i = 0; i < MESSAGES; i++) pipe.publish(channel, body(i));
    await pipe.exec();
    redis.disconnect();
    const { stored, rate } = await storedRate(bus, MESSAGES);
    await p.stop();
    report(
      'redis pub/sub (at most once)',
      rate,
      baseline,
      `  ${stored} stored, ${MESSAGES - stored} dropped`,
      false,
    );
  }

  if (CALENDAR && want('calendar')) {
    const bus = `cal${tag()}`;
    say(`calendar: ${TICKS} one-second ticks (BENCH_CALENDAR=0 skips this minute)`);
    const p = await eventSource(
      bus,
      `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: bench}
spec:
  calendar:
    tick: {schedule: "* * * * * *"}
`,
    );
    await storedRate(bus, TICKS);
    await p.stop();
    const consumer = await js.consumers.get(bus, { deliver_policy: DeliverPolicy.All });
    const lateness: number[] = [];
    const messages = await consumer.fetch({ max_messages: TICKS, expires: 5000 });
    for await (const m of messages) {
      const scheduled = Date.parse((m.json() as { id: string }).id);
      lateness.push(m.info.timestampNanos / 1e6 - scheduled);
      if (lateness.length >= TICKS) break;
    }
    const worst = lateness
      .map((ms, i) => [ms, i + 1] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3)
      .map(([ms, n]) => `tick ${n}: ${ms.toFixed(1)} ms`);
    say(`    slowest: ${worst.join(', ')}`);
    const p50 = percentile(lateness, 50);
    const p99 = percentile(lateness, 99);
    say(
      `calendar lateness over ${lateness.length} ticks: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...lateness).toFixed(1)} ms   goal p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'}`,
    );
  }
} finally {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  await nc.close();
  await nats.close();
  await rm(dir, { recursive: true, force: true });
}
