import type { CoreV1Api, KubeConfig, setHeaderOptions } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../core/kube.ts';
import type { Logger } from '../../core/logger.ts';
import type { TickStore } from './last-tick.ts';

/** Where the Kubernetes API is, or undefined where there is none (a laptop, CI). */
export type KubeConfigLoader = () => Promise<KubeConfig | undefined>;

/** In a pod: the pod's service account; elsewhere: `KUBECONFIG` when it is set; otherwise none. */
export const defaultKubeConfig: KubeConfigLoader = async () => {
  if (!process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG) return undefined;
  return loadKubeConfig();
};

export interface ConfigMapStoreOptions {
  name: string;
  namespace: string;
  createIfNotExist: boolean;
  /** `<eventSourceName>.<eventName>`, Argo Events' key. */
  key: string;
  metadata?: Record<string, string>;
  kubeConfig: KubeConfigLoader;
  logger: Logger;
}

/**
 * Argo Events' store for the last tick: the tick's payload (`{"eventTime": ..., "metadata": ...}`)
 * under `data["<eventSourceName>.<eventName>"]` of a ConfigMap in the EventSource's namespace. Kept
 * next to the KV store so that an Argo Events installation that reads it, or a move back, still
 * finds it; read only when the KV store has no tick yet (the first start after Argo Events).
 */
export function configMapTickStore(options: ConfigMapStoreOptions): TickStore {
  const { name, namespace, key, logger } = options;
  let api: Promise<ConfigMapApi | undefined> | undefined;
  const client = () => {
    api ??= connect(options.kubeConfig).catch((err: unknown) => {
      logger.warn({ err, configMap: name }, 'persistence.configMap: cannot reach the Kubernetes API');
      return undefined;
    });
    return api;
  };
  return {
    async read() {
      const core = await client();
      if (!core) return undefined;
      try {
        const cm = await core.api.readNamespacedConfigMap({ name, namespace });
        const payload = cm.data?.[key];
        return payload === undefined ? undefined : parseEventTime(JSON.parse(payload).eventTime);
      } catch (err) {
        if ((err as { code?: number }).code !== 404) {
          logger.warn({ err, configMap: name }, 'persistence.configMap: cannot read the last tick');
        }
        return undefined;
      }
    },
    async write(_tick, eventTime) {
      const core = await client();
      if (!core) return;
      const payload = JSON.stringify({
        eventTime,
        ...(options.metadata ? { metadata: options.metadata } : {}),
      });
      try {
        await core.api.patchNamespacedConfigMap(
          { name, namespace, body: { data: { [key]: payload } } },
          core.mergePatch,
        );
      } catch (err) {
        if ((err as { code?: number }).code === 404 && options.createIfNotExist) {
          await core.api
            .createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { [key]: payload } } })
            .catch((e: unknown) =>
              logger.warn({ err: e, configMap: name }, 'persistence.configMap: cannot create it'),
            );
          return;
        }
        logger.warn({ err, configMap: name }, 'persistence.configMap: cannot record the last tick');
      }
    },
  };
}

interface ConfigMapApi {
  api: CoreV1Api;
  mergePatch: ReturnType<typeof setHeaderOptions>;
}

async function connect(load: KubeConfigLoader): Promise<ConfigMapApi | undefined> {
  const kc = await load();
  if (!kc) return undefined;
  const k8s = await import('@kubernetes/client-node');
  return {
    api: kc.makeApiClient(k8s.CoreV1Api),
    mergePatch: k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  };
}

/**
 * An instant from Go's `time.Time` string form as Argo Events stores it
 * (`2026-01-02 15:04:05.123 +0100 CET m=+12.3`); undefined when it is not one.
 */
export function parseEventTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)? ([+-])(\d\d)(\d\d)/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return local + ms - offset;
}
