import type { Command } from 'commander';
import { toImpulseError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { Metrics } from '../core/metrics.ts';
import { createSecretResolver, type SecretResolver } from '../core/secrets.ts';
import { startStatusServer } from '../core/status-server.ts';
import type { EventBus as EventBusObject } from '../crds/index.ts';
import { createEventBus, DEFAULT_BUS_URL, type EventBus } from '../eventbus/index.ts';
import { redactBusUrl, resolveBusConnection } from './bus-connection.ts';

/** Options shared by the long-running process commands (`eventsource`, `sensor`). */
export interface ProcessOptions {
  file: string;
  bus?: string;
  metricsPort?: number;
}

export function addProcessOptions(command: Command): Command {
  return command
    .requiredOption('-f, --file <file>', 'the manifest (YAML or JSON) holding the object to run')
    .option(
      '--bus <url>',
      `NATS URL of the EventBus (default: IMPULSE_BUS_URL, the EventBus in the file, or ${DEFAULT_BUS_URL})`,
    )
    .option('--metrics-port <port>', 'serve /health and /metrics on this port', (v) => {
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--metrics-port: "${v}" is not a port number`);
      return port;
    });
}

export interface RunningProcess {
  health(): { ok: boolean; detail: Record<string, unknown> };
  close(): Promise<void>;
  /** Rejects when the object fails while running; the process then stops with exit code 1. */
  readonly closed?: Promise<void>;
}

export interface ProcessServices {
  bus: EventBus;
  logger: Logger;
  metrics: Metrics;
  secrets: SecretResolver;
}

/**
 * The life of an `impulse eventsource|sensor` process: connect the bus (retrying forever while NATS is
 * away), start the object, serve /health and /metrics, and on SIGTERM or SIGINT stop intake, drain,
 * close, and exit 0. A startup error prints its message and exits 1.
 */
export async function runProcess(
  kind: string,
  options: ProcessOptions & { busObject?: EventBusObject; eventBusName?: string; objectName: string },
  start: (services: ProcessServices) => Promise<RunningProcess>,
): Promise<void> {
  const logger = createLogger({ name: `${kind}/${options.objectName}` });
  const metrics = new Metrics();
  const secrets = createSecretResolver();

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping: draining in-flight work');
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  let bus: EventBus | undefined;
  let running: RunningProcess | undefined;
  let status: Awaited<ReturnType<typeof startStatusServer>> | undefined;
  try {
    if (options.metricsPort !== undefined) {
      status = await startStatusServer({
        port: options.metricsPort,
        metrics,
        health: () => running?.health() ?? { ok: false, detail: { state: 'starting' } },
      });
      logger.info({ port: status.port }, 'serving /health and /metrics');
    }
    const connection = resolveBusConnection({
      url: options.bus,
      eventBus: options.busObject,
      eventBusName: options.eventBusName,
      secrets,
    });
    const { url } = connection;
    logger.info({ url: redactBusUrl(url), bus: connection.name }, 'connecting to the EventBus');
    bus = await createEventBus({ ...connection, logger, signal: stop.signal });
    if (!stop.signal.aborted) {
      running = await start({ bus, logger, metrics, secrets });
      if (url.startsWith('memory:'))
        logger.warn('running on the in-memory bus: nothing is durable, events are lost on exit');
      logger.info(`${kind} running`);
      const stopped = new Promise<void>((resolve) =>
        stop.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      await Promise.race([stopped, running.closed ?? stopped]);
    }
  } catch (err) {
    const error = toImpulseError(err);
    logger.error({ code: error.code }, error.message);
    process.exitCode = 1;
  } finally {
    // Every step runs even if an earlier one fails.
    for (const step of [() => running?.close(), () => bus?.close(), () => status?.close()]) {
      try {
        await step();
      } catch (err) {
        logger.warn({ err }, 'cleanup step failed');
      }
    }
    logger.info('stopped');
    logger.flush();
  }
}
