/**
 * `npm run bench:delivery`: how fast a sensor consumes with its delivery guarantees on, against a
 * private nats-server, on this machine. In one run:
 *   (a) raw JetStream: a durable pull consumer reading a backlog with confirmed acks (the baseline)
 *   (b) a single-dependency sensor with an at-least-once HTTP trigger into a local sink
 *   (c) a two-dependency AND sensor fed alternating events (each pair is one firing)
 * Each sensor reads a backlog published while it was stopped (so the figure is the sensor's, not
 * the publisher's), then a paced load for latency. Prints events/s (and firings/s), each as a ratio
 * to (a), p99 publish-to-sink latency next to raw JetStream's at the same rate, and lost events.
 * Goals: (b) >= 3,000 firings/s, (c) >= 1,000 firings/s, none lost.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '../core/node-flags.ts';
import { startNatsServer } from '../test/support/nats-server.ts';
import { freePort } from '../test/support/ports.ts';
import { heldEvents, publishBacklog, publishPaced, rawConsumeRate } from './support/backlog.ts';
import { type BenchProcess, percentile, REPO, startProcess, untilHealthy } from './support/processes.ts';
import { rawJetStreamLatency } from './support/raw-latency.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const LATENCY_S = Number(process.env.BENCH_LATENCY_S ?? 5);
const say = (line: string) => process.stdout.write(`${line}\n`);

say('building dist/ (npm run build)');
try {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
} catch {
  // Type errors elsewhere in a working tree still emit JavaScript; go on if there is some.
  if (!existsSync(join(REPO, 'dist/cli/main.js'))) throw new Error('the build produced no dist/cli/main.js');
  say('(the build reported errors; running what it emitted)');
}
const CLI = 'dist/cli/main.js';

const nats = await startNatsServer();
const dir = await mkdtemp(join(tmpdir(), 'impulse-bench-delivery-'));
const processes: BenchProcess[] = [];

interface SinkStats {
  received: number;
  unique: number;
  latencies: number[];
  firstAt: number;
  lastAt: number;
}

try {
  say(
    `nats-server on ${nats.url}; backlog of ${EVENTS} events per run, latency at ${RATE} events/s for ${LATENCY_S} s`,
  );
  const sinkPort = await freePort();
  processes.push(await startProcess('sink', ['bench/support/sink.mjs', String(sinkPort)], /^ready/));
  const sink = `http://127.0.0.1:${sinkPort}`;
  const stats = async () => (await (await fetch(`${sink}/stats`)).json()) as SinkStats;
  const reset = () => fetch(`${sink}/reset`, { method: 'POST' });

  const raw = await rawConsumeRate(nats.url, EVENTS);
  say(`(a) raw JetStream consume + confirmed ack: ${raw.toFixed(0)} events/s`);

  /**
   * Runs one sensor over a backlog, then a paced load. Every event must be accounted for: part of a
   * firing, replaced by a newer event of its dependency while held (Argo Events keeps the latest),
   * or still held at the end; the rest are lost.
   */
  const measure = async (name: string, deps: string[], payload: string) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: ${name}}
spec:
  dependencies:
${deps.map((d) => `    - {name: ${d}, eventSourceName: bench, eventName: ${d}}`).join('\n')}
  triggers:
    - template:
        name: sink
        http:
          url: ${sink}/sink
          payload:
${payload}
      retryStrategy: {steps: 5, duration: 100ms}
`,
    );
    const port = await freePort();
    const start = () =>
      startProcess(
        `sensor ${name}`,
        [...SERVICE_NODE_FLAGS, CLI, 'sensor', '-f', file, '--bus', nats.url, '--metrics-port', String(port)],
        /sensor running/,
        {
          LOG_LEVEL: 'info',
          IMPULSE_BUS_NAME: name,
        },
      );
    const replaced = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/impulse_sensor_events_replaced_total\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const held = () => heldEvents(nats.url, name, `default.${name}.sink`);
    const accounted = async (events: number) => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const s = await stats();
        const r = await replaced();
        const h = await held();
        const total = s.unique * deps.length + r + h;
        if (total >= events || Date.now() > deadline)
          return { stats: s, replaced: r, held: h, lost: Math.max(0, events - total) };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    // A first start creates the durable consumers (at "new"); the backlog then waits for the second.
    let sensor = await start();
    await untilHealthy(`http://127.0.0.1:${port}/health`);
    await sensor.stop();
    await publishBacklog(nats.url, name, 'bench', deps, EVENTS, 'backlog');
    await reset();
    sensor = await start();
    processes.push(sensor);
    await untilHealthy(`http://127.0.0.1:${port}/health`);
    const backlog = await accounted(EVENTS);
    const s = backlog.stats;
    const seconds = (s.lastAt - s.firstAt) / 1000;
    const before = backlog.replaced + backlog.held;
    await reset();
    const sent = await publishPaced(nats.url, name, 'bench', deps, RATE, LATENCY_S, 'paced');
    const paced = await accounted(sent + before);
    await sensor.stop();
    processes.splice(processes.indexOf(sensor), 1);
    return {
      firings: s.unique / seconds,
      events: (EVENTS - backlog.held) / seconds,
      p99: percentile(paced.stats.latencies, 99),
      lost: backlog.lost + paced.lost,
      replaced: paced.replaced,
      duplicates: s.received - s.unique + (paced.stats.received - paced.stats.unique),
    };
  };

  const rawLatency = await rawJetStreamLatency(nats.url, RATE, LATENCY_S);
  const single = await measure(
    'single',
    ['a'],
    `            - src: {dependencyName: a, dataKey: body.id}
              dest: id
            - src: {dependencyName: a, dataKey: body.sentAt}
              dest: sentAt`,
  );
  const and = await measure(
    'pairs',
    ['a', 'b'],
    `            - src: {dependencyName: a, dataKey: body.id}
              dest: id
            - src: {dependencyName: b, dataKey: body.sentAt}
              dest: sentAt`,
  );
  const ratio = (eps: number) => `${((eps / raw) * 100).toFixed(1)}% of (a)`;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  say(
    `(b) single dependency, at-least-once HTTP: ${single.firings.toFixed(0)} firings/s = events/s (${ratio(single.events)}), p99 ${single.p99.toFixed(2)} ms at ${RATE}/s, ${single.lost} lost, ${single.duplicates} repeated requests`,
  );
  say(`    goal >= 3000 firings/s, 0 lost: ${verdict(single.firings >= 3000 && single.lost === 0)}`);
  say(
    `(c) two-dependency AND, alternating:       ${and.firings.toFixed(0)} firings/s, ${and.events.toFixed(0)} events/s (${ratio(and.events)}), p99 ${and.p99.toFixed(2)} ms at ${RATE} events/s, ${and.lost} lost, ${and.duplicates} repeated requests`,
  );
  say(`    (${and.replaced} held events replaced by a newer one of the same dependency, as in Argo Events)`);
  say(`    goal >= 1000 firings/s, 0 lost: ${verdict(and.firings >= 1000 && and.lost === 0)}`);
  say(
    `    raw JetStream publish-to-consume p99 at ${RATE}/s: ${rawLatency.p99.toFixed(2)} ms (p50 ${rawLatency.p50.toFixed(2)} ms)`,
  );
} finally {
  for (const p of processes.splice(0)) await p.stop().catch(() => undefined);
  await nats.close();
  await rm(dir, { recursive: true, force: true });
}
