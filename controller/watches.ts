import type { Informer, KubeConfig, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from '../core/logger.ts';
import type { ClusterApi } from './cluster-api.ts';

/** A kind the controller watches, and where it is served. */
export interface WatchedKind {
  apiVersion: string;
  kind: string;
  plural: string;
  labelSelector?: string;
}

/** One list-and-watch of a kind, with its cache, restarted after errors. */
export interface Watch {
  readonly kind: WatchedKind;
  readonly cache: ObjectCache<KubernetesObject>;
  /** Listed successfully and watching. */
  readonly synced: boolean;
  stop(): Promise<void>;
}

const RESTART_DELAY_MS = 1000;

/**
 * Lists and watches `kind` in one namespace or all (client-node's informer), calling `onChange` for
 * every added, changed and deleted object. A failed list or a broken watch is logged and started
 * again after a second; `synced` is false meanwhile (the controller's /health shows it).
 */
export async function startWatch(
  kc: KubeConfig,
  api: ClusterApi,
  kind: WatchedKind,
  namespace: string | undefined,
  logger: Logger,
  onChange: (object: KubernetesObject) => void,
): Promise<Watch> {
  const { makeInformer } = await import('@kubernetes/client-node');
  const prefix = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
  const path = `${prefix}${namespace ? `/namespaces/${namespace}` : ''}/${kind.plural}`;
  let synced = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const list = async () => {
    const result = await api.objects.list(
      kind.apiVersion,
      kind.kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      kind.labelSelector,
    );
    synced = true;
    return result;
  };
  const informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject> = makeInformer(
    kc,
    path,
    list,
    kind.labelSelector,
  );
  informer.on('add', onChange);
  informer.on('update', onChange);
  informer.on('delete', onChange);
  informer.on('error', (err: unknown) => {
    synced = false;
    if (stopped) return;
    logger.warn({ kind: kind.kind, err: (err as Error)?.message ?? String(err) }, 'watch failed; restarting');
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!stopped) void informer.start().catch(() => {});
    }, RESTART_DELAY_MS);
  });
  await informer.start().catch(() => {});
  return {
    kind,
    cache: informer,
    get synced() {
      return synced;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await informer.stop();
    },
  };
}
