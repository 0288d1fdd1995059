import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { Counter, Gauge, type Registry } from 'prom-client';
import { toImpulseError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { ClusterApi, type KubeObject } from './cluster-api.ts';
import { CONDITION } from './conditions.ts';
import { API_VERSION, type ReconcileContext, type Reconciler } from './context.ts';
import { EventRecorder } from './events.ts';
import { LeaderElector } from './leader-election.ts';
import { LABELS, MANAGER } from './names.ts';
import { NATS_DEFAULTS } from './nats-resources.ts';
import { reconcileEventBus } from './reconcile-eventbus.ts';
import { workloadReconciler } from './reconcile-workload.ts';
import { type ImpulseKind, PLURALS, writeStatus } from './status.ts';
import { startWatch, type Watch, type WatchedKind } from './watches.ts';
import { WorkQueue } from './work-queue.ts';

export { busSettings } from './bus-settings.ts';
export { natsConfigText, natsResources } from './nats-resources.ts';
export { secretReferences } from './secret-refs.ts';
export { validateClusterObject } from './validate.ts';
export { buildWorkload, POD_PATHS, workloadNames } from './workload.ts';

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Watch only this namespace. @default every namespace */
  namespace?: string;
  /** The image EventSource and Sensor pods run. */
  image: string;
  /** @default "nats" */
  natsImage?: string;
  /** This replica's name in the Lease. @default `<hostname>-<random>` */
  identity?: string;
  /** Where the Lease lives. @default `namespace`, else POD_NAMESPACE, else "impulse" */
  leaseNamespace?: string;
  /** @default "impulse-controller" */
  leaseName?: string;
  leaderElection?: { leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  /** Backoff of failed reconciles. @default {baseDelayMs: 500, maxDelayMs: 60000} */
  retry?: { baseDelayMs?: number; maxDelayMs?: number };
  /** Every object is reconciled again this often, besides watch events. @default 300000 */
  resyncMs?: number;
  logger?: Logger;
  /** Where to register the controller's metrics (`impulse_controller_*`). */
  registry?: Registry;
}

export interface Controller {
  readonly identity: string;
  readonly isLeader: boolean;
  /** OK once every watch has listed and is watching (leader or standby alike). */
  health(): { ok: boolean; detail: Record<string, unknown> };
  close(): Promise<void>;
}

const RECONCILERS: Record<ImpulseKind, Reconciler> = {
  EventBus: reconcileEventBus,
  EventSource: workloadReconciler('EventSource'),
  Sensor: workloadReconciler('Sensor'),
};

const OWNED_SELECTOR = `${LABELS.managedBy}=${MANAGER}`;
const WATCHED: WatchedKind[] = [
  ...(Object.keys(PLURALS) as ImpulseKind[]).map((kind) => ({
    apiVersion: API_VERSION,
    kind,
    plural: PLURALS[kind],
  })),
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', labelSelector: OWNED_SELECTOR },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', labelSelector: OWNED_SELECTOR },
];

/**
 * Starts the controller: watches EventBus, EventSource and Sensor objects (and the workloads it
 * made), and, while this replica holds the Lease, reconciles each changed object into its
 * workloads, with conditions and Events. A standby replica watches but never writes.
 */
export async function startController(options: ControllerOptions): Promise<Controller> {
  const logger = options.logger ?? createLogger({ name: 'controller' });
  const identity = options.identity ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  let elector: LeaderElector | undefined;
  const api = await ClusterApi.create(
    options.kubeConfig,
    `${MANAGER}/${identity}`,
    () => elector?.isLeader ?? false,
  );
  const events = new EventRecorder(api, identity, logger);
  let term = new AbortController().signal;
  const context = (): ReconcileContext => ({
    api,
    events,
    logger,
    image: options.image,
    natsImage: options.natsImage ?? NATS_DEFAULTS.image,
    signal: term,
  });

  const registers = options.registry ? [options.registry] : [];
  const reconciles = new Counter({
    name: 'impulse_controller_reconcile_total',
    help: 'Reconciles by kind and result (ok, error)',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  new Gauge({
    name: 'impulse_controller_leader',
    help: '1 while this replica holds the controller Lease',
    registers,
    collect() {
      this.set(elector?.isLeader ? 1 : 0);
    },
  });
  const queue = new WorkQueue({
    logger,
    active: () => elector?.isLeader ?? false,
    baseDelayMs: options.retry?.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs,
    handle: async (key) => {
      const kind = key.split('/')[0] ?? '';
      try {
        const again = await handle(context(), key);
        reconciles.inc({ kind, result: 'ok' });
        return again;
      } catch (err) {
        reconciles.inc({ kind, result: 'error' });
        throw err;
      }
    },
  });

  const watches: Watch[] = [];
  const enqueue = (kind: string, namespace: string | undefined, name: string | undefined) => {
    if (kind in RECONCILERS && namespace && name) queue.add(`${kind}/${namespace}/${name}`);
  };
  const onChange = (object: KubernetesObject) => {
    const { namespace, name, ownerReferences } = object.metadata ?? {};
    if (
      object.kind === 'Deployment' ||
      object.kind === 'StatefulSet' ||
      !(object.kind && object.kind in RECONCILERS)
    ) {
      const owner = ownerReferences?.find((r) => r.controller && r.apiVersion === API_VERSION);
      if (owner) enqueue(owner.kind, namespace, owner.name);
      return;
    }
    enqueue(object.kind, namespace, name);
    // The processes of an EventBus's EventSources and Sensors depend on it.
    if (object.kind === 'EventBus') {
      for (const watch of watches.filter((w) => w.kind.kind === 'EventSource' || w.kind.kind === 'Sensor')) {
        for (const dependent of watch.cache.list(namespace)) {
          const busName = (dependent as KubeObject & { spec?: { eventBusName?: string } }).spec?.eventBusName;
          if ((busName ?? 'default') === name) enqueue(watch.kind.kind, namespace, dependent.metadata?.name);
        }
      }
    }
  };
  const enqueueAll = () => {
    for (const watch of watches)
      if (watch.kind.kind in RECONCILERS) for (const o of watch.cache.list()) onChange(o);
  };
  for (const kind of WATCHED) {
    // Typed informers need `kind` on listed items, which list answers leave out.
    const tag = (o: KubernetesObject) => onChange({ ...o, kind: o.kind ?? kind.kind });
    watches.push(await startWatch(options.kubeConfig, api, kind, options.namespace, logger, tag));
  }

  elector = new LeaderElector(api, {
    namespace: options.leaseNamespace ?? options.namespace ?? process.env.POD_NAMESPACE ?? 'impulse',
    name: options.leaseName ?? 'impulse-controller',
    identity,
    logger,
    ...options.leaderElection,
    onStartedLeading: (signal) => {
      term = signal;
      enqueueAll();
      queue.kick(signal);
    },
  });
  elector.start();
  const resync = setInterval(enqueueAll, options.resyncMs ?? 300_000);
  resync.unref();
  logger.info({ identity, namespace: options.namespace ?? '(all)' }, 'controller started');

  let closing: Promise<void> | undefined;
  return {
    identity,
    get isLeader() {
      return elector?.isLeader ?? false;
    },
    health() {
      const unsynced = watches.filter((w) => !w.synced).map((w) => w.kind.kind);
      return {
        ok: unsynced.length === 0,
        detail: { leader: elector?.isLeader ?? false, identity, ...(unsynced.length ? { unsynced } : {}) },
      };
    },
    close() {
      closing ??= (async () => {
        clearInterval(resync);
        queue.close();
        for (const step of [() => elector?.close(), ...watches.map((w) => () => w.stop())]) {
          try {
            await step();
          } catch (err) {
            logger.warn({ err: (err as Error).message }, 'controller shutdown step failed');
          }
        }
        logger.info('controller stopped');
      })();
      return closing;
    },
  };
}

/**
 * Runs one key. A permanent failure (an object in the way, a refused write) is reported on the object
 * as `Deployed: False` with the error, then retried with backoff like any failure.
 */
async function handle(ctx: ReconcileContext, key: string): Promise<number | undefined> {
  const [kind, namespace, name] = key.split('/') as [ImpulseKind, string, string];
  try {
    return await RECONCILERS[kind](ctx, namespace, name);
  } catch (err) {
    const error = toImpulseError(err);
    if (!error.transient && error.code !== 'CLOSED') {
      const object = await ctx.api
        .read({ apiVersion: API_VERSION, kind }, namespace, name)
        .catch(() => undefined);
      if (object) {
        await writeStatus(ctx.api, object, [
          { type: CONDITION.deployed, status: 'False', reason: 'ReconcileFailed', message: error.message },
        ]).catch(() => undefined);
        await ctx.events.record(object, 'Warning', 'ReconcileFailed', error.message);
      }
    }
    throw error;
  }
}
