import type { Command } from 'commander';
import { toImpulseError } from '../../core/errors.ts';
import { loadKubeConfig } from '../../core/kube.ts';
import { createLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { startStatusServer } from '../../core/status-server.ts';

/** The image the controller's EventSource and Sensor pods run when neither --image nor IMPULSE_IMAGE says. */
const DEFAULT_IMAGE = 'ghcr.io/impulse-dev/impulse:0.1.0';

interface ControllerCliOptions {
  namespace?: string;
  kubeconfig?: string;
  metricsPort?: number;
  image?: string;
  natsImage?: string;
  leaseNamespace?: string;
}

/**
 * `impulse controller`: turns EventBus, EventSource and Sensor objects into workloads, in every
 * namespace or one, as the leader among its replicas; serves /health and /metrics; stops on SIGTERM.
 */
export function registerController(program: Command): void {
  program
    .command('controller')
    .description('Run the Kubernetes controller: EventBus, EventSource and Sensor objects become workloads')
    .option('--namespace <ns>', 'watch only this namespace (default: every namespace)')
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: the pod service account, KUBECONFIG, ~/.kube/config)',
    )
    .option('--metrics-port <port>', 'serve /health and /metrics on this port', (v) => {
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--metrics-port: "${v}" is not a port number`);
      return port;
    })
    .option(
      '--image <image>',
      `image of EventSource and Sensor pods (default: IMPULSE_IMAGE, else ${DEFAULT_IMAGE})`,
    )
    .option('--nats-image <repository>', 'NATS image repository of managed EventBuses (default: nats)')
    .option(
      '--lease-namespace <ns>',
      'namespace of the leader-election Lease (default: --namespace, else POD_NAMESPACE, else impulse)',
    )
    .action(async (options: ControllerCliOptions) => {
      const logger = createLogger({ name: 'controller' });
      const kubeConfig = await loadKubeConfig({ file: options.kubeconfig });
      // Loaded here: no other command pays for the controller's modules.
      const { startController } = await import('../../controller/index.ts');
      const metrics = new Metrics();
      const stop = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'stopping');
        stop.abort();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const controller = await startController({
        kubeConfig,
        namespace: options.namespace,
        image: options.image ?? process.env.IMPULSE_IMAGE ?? DEFAULT_IMAGE,
        natsImage: options.natsImage,
        identity: process.env.POD_NAME ?? undefined,
        leaseNamespace: options.leaseNamespace,
        logger,
        registry: metrics.registry,
      });
      const status =
        options.metricsPort === undefined
          ? undefined
          : await startStatusServer({
              port: options.metricsPort,
              metrics,
              health: () => controller.health(),
            });
      if (status) logger.info({ port: status.port }, 'serving /health and /metrics');
      await new Promise<void>((resolve) =>
        stop.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      for (const step of [() => controller.close(), () => status?.close()]) {
        try {
          await step();
        } catch (err) {
          logger.warn({ err: toImpulseError(err).message }, 'shutdown step failed');
        }
      }
      logger.flush();
    });
}
