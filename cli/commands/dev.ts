import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { createLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import { type LoadedObjects, loadObjects } from '../../crds/index.ts';
import { createMemoryBus } from '../../eventbus/index.ts';
import { busUrl } from '../bus-connection.ts';
import { prettyLogLine } from '../dev/log-lines.ts';
import { Supervisor } from '../dev/supervisor.ts';

const LOCAL_NATS = { host: '127.0.0.1', port: 4222 };

/**
 * `impulse dev DIR`: runs every EventSource and Sensor in DIR, each as its own process (as in a
 * cluster) on the local NATS, with prefixed logs; Ctrl-C stops them together. Without NATS, everything
 * runs in this one process on the in-memory bus, with a warning that nothing is durable.
 */
export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('Run every EventSource and Sensor in a folder locally, stopped together with Ctrl-C')
    .argument('<paths...>', 'folders or files of manifests')
    .option(
      '--bus <url>',
      'NATS URL, or memory:// for one process on the in-memory bus (default: nats://127.0.0.1:4222 if it answers, else memory://)',
    )
    .action(async (paths: string[], options: { bus?: string }) => {
      const objects = await loadObjects(paths);
      const total = objects.eventSources.length + objects.sensors.length;
      if (total === 0) throw new Error(`no EventSource or Sensor found in ${paths.join(', ')}`);
      const out = (line: string) => process.stdout.write(`${line}\n`);
      for (const warning of objects.warnings) out(`warning: ${warning.path}: ${warning.message}`);

      // As a process would: --bus, IMPULSE_BUS_URL, the folder's EventBus; else the local NATS if it answers.
      const eventBus = objects.eventBuses[0]?.object;
      const url =
        busUrl({ url: options.bus, eventBus }) ??
        ((await answers(LOCAL_NATS.host, LOCAL_NATS.port)) ? 'nats://127.0.0.1:4222' : undefined);
      if (url && !url.startsWith('memory:')) await runAsProcesses(objects, url, out);
      else await runInProcess(objects, out, url === undefined);
    });
}

async function runAsProcesses(
  objects: LoadedObjects,
  url: string,
  out: (line: string) => void,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'impulse-dev-'));
  const supervisor = new Supervisor(out);
  out(
    `impulse dev: EventBus at ${url}; starting ${objects.eventSources.length} EventSource(s) and ${objects.sensors.length} Sensor(s)`,
  );
  const entries = [
    ...objects.eventSources.map((o) => ({ kind: 'eventsource', object: o.object })),
    ...objects.sensors.map((o) => ({ kind: 'sensor', object: o.object })),
  ];
  for (const { kind, object } of entries) {
    const name = `${kind}/${object.metadata.name}`;
    const file = join(dir, `${kind}-${object.metadata.name}.yaml`);
    // The folder's EventBus goes along, so each process reads its accessSecret and tls itself.
    const eventBus = objects.eventBuses[0]?.object;
    await writeFile(
      file,
      [eventBus, object]
        .filter(Boolean)
        .map((o) => stringify(o))
        .join('---\n'),
    );
    supervisor.start({ name, args: [kind, '-f', file, '--bus', url] });
  }
  const stop = new Promise<'signal'>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
  });
  const first = await Promise.race([stop, supervisor.exited]);
  if (first !== 'signal') {
    out(`impulse dev: ${first.name} exited (code ${first.code}); stopping the others`);
    process.exitCode = 1;
  } else {
    out('impulse dev: stopping');
  }
  await supervisor.stop();
  await rm(dir, { recursive: true, force: true });
}

async function runInProcess(
  objects: LoadedObjects,
  out: (line: string) => void,
  noNats: boolean,
): Promise<void> {
  const why = noNats ? 'no NATS answers on 127.0.0.1:4222. ' : '';
  out(`WARNING: ${why}Running everything in this process on the in-memory bus:`);
  out(
    'WARNING: NOTHING IS DURABLE. Events are lost when this process stops. Start nats-server -js for the real thing.',
  );
  // The same readable lines as the multi-process mode, prefixed with the object each line is about.
  const logger = createLogger({
    destination: {
      write(chunk: string) {
        for (const line of chunk.split('\n')) {
          if (!line) continue;
          const record = JSON.parse(line) as { sensor?: string; eventSource?: string };
          const prefix = record.sensor ? `sensor/${record.sensor}` : 'eventsource';
          out(prettyLogLine(prefix, line));
        }
      },
    },
  });
  const bus = createMemoryBus({ name: process.env.IMPULSE_BUS_NAME ?? 'default', logger });
  const services = { bus, logger, metrics: new Metrics(), secrets: createSecretResolver() };
  const stop = new AbortController();
  const running: Array<{ close(): Promise<void> }> = [];
  const { runEventSource } = await import('../../eventsources/index.ts');
  const { startSensor } = await import('../../sensors/index.ts');
  try {
    for (const { object } of objects.eventSources)
      running.push(await runEventSource(object, { ...services, signal: stop.signal }));
    for (const { object } of objects.sensors) running.push(await startSensor(object, services));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  } finally {
    stop.abort();
    for (const r of running.reverse()) await r.close().catch(() => undefined);
    await bus.close();
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
