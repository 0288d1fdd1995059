/**
 * `npm run bench:e2e`: the webhook-to-trigger path against a private nats-server, on this machine.
 *   (a) a bare Fastify handler doing one JetStream publish per request (the baseline)
 *   (b) the Impulse webhook EventSource alone (no sensor)
 *   (c) the whole path, webhook -> JetStream -> sensor -> HTTP trigger -> local sink
 * It prints req/s for (a) and (b) and their ratio, events/s delivered in (c) with the number lost,
 * webhook-to-sink p50/p99 at a fixed 500 events/s next to raw JetStream publish-to-consume p99 in the
 * same run, and peak RSS per process. Goals: (b) >= 90% of (a); (c) >= 3,000 events/s, none lost;
 * p99 within 2x the raw p99; <= 100 MB RSS per process.
 *   (d) signed GitHub pushes (a real ~7 KB payload) against the plain webhook posting the same body
 *       unsigned, in one EventSource process (bench/support/git-push.ts). Goal: >= 90%.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SERVICE_NODE_FLAGS } from '../core/node-flags.ts';
import { startNatsServer } from '../test/support/nats-server.ts';
import { freePort } from '../test/support/ports.ts';
import { gitPushPhase } from './support/git-push.ts';
import { sendPaced } from './support/paced.ts';
import { type BenchProcess, percentile, REPO, startProcess, untilHealthy } from './support/processes.ts';
import { rawJetStreamLatency } from './support/raw-latency.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const LATENCY_S = Number(process.env.BENCH_LATENCY_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 64;
const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RATE = 500;
const now = () => performance.timeOrigin + performance.now();
const say = (line: string) => process.stdout.write(`${line}\n`);

const body = () =>
  JSON.stringify({ id: randomUUID(), sentAt: String(now()), message: 'hello from bench', n: 42 });

async function load(url: string, options: { duration?: number; amount?: number }) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...options,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: body() }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

// Processes run compiled, as they do in a container; tsx (what bin/impulse.js uses in a clone) adds
// about 80 MB of RSS and start-up time that a deployment does not have.
say('building dist/ (npm run build)');
execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
const CLI = 'dist/cli/main.js';

const nats = await startNatsServer();
const dir = await mkdtemp(join(tmpdir(), 'impulse-bench-'));
const processes: BenchProcess[] = [];
const rss: Array<[string, number]> = [];
const stopAll = async () => {
  for (const p of processes.splice(0)) {
    rss.push([p.name, p.peakRssMb()]);
    await p.stop();
  }
};

try {
  say(
    `nats-server on ${nats.url}; ${ROUNDS} x ${DURATION_S} s per throughput figure, ${CONNECTIONS} connections`,
  );

  // (a) the bare baseline and (b) the webhook EventSource alone, both running, loaded in turn:
  // ROUNDS alternating runs each, so a busy moment of the machine does not decide the ratio.
  const barePort = await freePort();
  processes.push(
    await startProcess(
      'bare fastify+publish',
      [...SERVICE_NODE_FLAGS, 'bench/support/bare-server.mjs', String(barePort), nats.url, 'bare'],
      /^ready/,
    ),
  );
  const hookPort = await freePort();
  const esFile = join(dir, 'eventsource.yaml');
  await writeFile(
    esFile,
    `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: bench}
spec:
  webhook:
    hook: {port: "${hookPort}", endpoint: /hook, method: POST}
`,
  );
  const esMetrics = await freePort();
  const startEventSource = async (bus: string) => {
    const p = await startProcess(
      'impulse eventsource',
      [
        ...SERVICE_NODE_FLAGS,
        CLI,
        'eventsource',
        '-f',
        esFile,
        '--bus',
        nats.url,
        '--metrics-port',
        String(esMetrics),
      ],
      /eventsource running/,
      { LOG_LEVEL: 'info', IMPULSE_BUS_NAME: bus },
    );
    await untilHealthy(`http://127.0.0.1:${esMetrics}/health`);
    return p;
  };
  processes.push(await startEventSource('benchb'));
  const bare = `http://127.0.0.1:${barePort}/hook`;
  const hook = `http://127.0.0.1:${hookPort}/hook`;
  await load(bare, { duration: 2 }); // warm-up
  await load(hook, { duration: 2 });
  const aRuns: number[] = [];
  const bRuns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [url, runs] of [
      [bare, aRuns],
      [hook, bRuns],
    ] as const) {
      const r = await load(url, { duration: DURATION_S });
      if (r.non2xx > 0 || r.errors > 0) say(`    ${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      runs.push(r.rps);
    }
  }
  const a = percentile(aRuns, 50);
  const b = percentile(bRuns, 50);
  const ratio = b / a;
  const runs = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  say(`(a) bare Fastify + JetStream publish: ${a.toFixed(0)} req/s (median of ${runs(aRuns)})`);
  say(`(b) Impulse webhook EventSource:      ${b.toFixed(0)} req/s (median of ${runs(bRuns)})`);
  say(`    ratio (b)/(a): ${(ratio * 100).toFixed(1)}%   goal >= 90%: ${ratio >= 0.9 ? 'met' : 'NOT met'}`);
  // The same paced load against both, for the share of latency any Node HTTP receiver has.
  const barePaced = await sendPaced(bare, RATE, LATENCY_S);
  const hookPaced = await sendPaced(hook, RATE, LATENCY_S);
  say(
    `    answer latency at ${RATE}/s: (a) p50 ${barePaced.p50.toFixed(2)} ms, p99 ${barePaced.p99.toFixed(2)} ms; (b) p50 ${hookPaced.p50.toFixed(2)} ms, p99 ${hookPaced.p99.toFixed(2)} ms`,
  );
  await stopAll();

  // (c) the whole path into a local sink
  const sinkPort = await freePort();
  const sensorFile = join(dir, 'sensor.yaml');
  await writeFile(
    sensorFile,
    `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: bench}
spec:
  dependencies: [{name: hook, eventSourceName: bench, eventName: hook}]
  triggers:
    - template:
        name: sink
        http:
          url: http://127.0.0.1:${sinkPort}/sink
          payload:
            - src: {dependencyName: hook, dataKey: body.id}
              dest: id
            - src: {dependencyName: hook, dataKey: body.sentAt}
              dest: sentAt
      retryStrategy: {steps: 5, duration: 100ms}
`,
  );
  processes.push(await startProcess('sink', ['bench/support/sink.mjs', String(sinkPort)], /^ready/));
  const sensorMetrics = await freePort();
  processes.push(
    await startProcess(
      'impulse sensor',
      [
        ...SERVICE_NODE_FLAGS,
        CLI,
        'sensor',
        '-f',
        sensorFile,
        '--bus',
        nats.url,
        '--metrics-port',
        String(sensorMetrics),
      ],
      /sensor running/,
      { LOG_LEVEL: 'info', IMPULSE_BUS_NAME: 'benchc' },
    ),
  );
  processes.push(await startEventSource('benchc'));
  await untilHealthy(`http://127.0.0.1:${sensorMetrics}/health`);
  const stats = async () =>
    (await (await fetch(`http://127.0.0.1:${sinkPort}/stats`)).json()) as {
      received: number;
      unique: number;
      latencies: number[];
    };
  const waitDelivered = async (expected: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    let s = await stats();
    while (s.unique < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      s = await stats();
    }
    return { stats: s, at: now() };
  };

  const started = now();
  const c = await load(`http://127.0.0.1:${hookPort}/hook`, { amount: THROUGHPUT_EVENTS });
  const accepted = c.total - c.non2xx;
  const delivered = await waitDelivered(accepted, 60_000);
  const seconds = (delivered.at - started) / 1000;
  const lost = accepted - delivered.stats.unique;
  const eps = delivered.stats.unique / seconds;
  say(
    `(c) whole path: ${THROUGHPUT_EVENTS} events sent, ${accepted} accepted, ${delivered.stats.unique} delivered in ${seconds.toFixed(2)} s`,
  );
  say(
    `    ${eps.toFixed(0)} events/s delivered, ${lost} lost   goal >= 3000 events/s, 0 lost: ${eps >= 3000 && lost === 0 ? 'met' : 'NOT met'}`,
  );

  // Latency at a fixed 500 events/s, next to raw JetStream publish-to-consume in the same run.
  await fetch(`http://127.0.0.1:${sinkPort}/reset`, { method: 'POST' });
  const fixed = await sendPaced(`http://127.0.0.1:${hookPort}/hook`, RATE, LATENCY_S);
  const paced = await waitDelivered(fixed.ok, 30_000);
  const p50 = percentile(paced.stats.latencies, 50);
  const p99 = percentile(paced.stats.latencies, 99);
  const raw = await rawJetStreamLatency(nats.url, RATE, LATENCY_S);
  say(
    `    at ${RATE} events/s: webhook-to-sink p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${paced.stats.unique} of ${fixed.sent} events; webhook answer p50 ${fixed.p50.toFixed(2)} ms, p99 ${fixed.p99.toFixed(2)} ms)`,
  );
  say(
    `    raw JetStream publish-to-consume at ${RATE}/s: p50 ${raw.p50.toFixed(2)} ms, p99 ${raw.p99.toFixed(2)} ms`,
  );
  say(`    p99 ratio ${(p99 / raw.p99).toFixed(2)}x   goal <= 2x: ${p99 <= 2 * raw.p99 ? 'met' : 'NOT met'}`);
  await stopAll();

  await gitPushPhase({
    cli: CLI,
    natsUrl: nats.url,
    dir,
    rounds: ROUNDS,
    durationS: DURATION_S,
    connections: CONNECTIONS,
    say,
    processes,
  });
  await stopAll();

  say('peak RSS per process (goal <= 100 MB):');
  for (const [name, mb] of rss)
    say(`    ${name.padEnd(24)} ${mb.toFixed(1)} MB ${mb <= 100 ? '' : '(over)'}`);
} finally {
  await stopAll().catch(() => undefined);
  await nats.close();
  await rm(dir, { recursive: true, force: true });
}
