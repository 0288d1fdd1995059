import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { EventBus } from '../../../eventbus/index.ts';
import type { LeaseService } from '../../../eventsources/active-passive.ts';
import type { SourceConfig } from '../../../eventsources/index.ts';
import { createResourceSource, type ResourcePayload } from '../../../eventsources/resource/index.ts';
import {
  type KubeEmulator,
  type KubeEmulatorOptions,
  startKubeEmulator,
} from '../../support/kube-emulator/index.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { waitFor, within } from '../../support/wait.ts';
import { type Recording, recording, sourceInit } from '../source-fixture.ts';

export const asMergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * An emulator reached through a TCP proxy the test owns (so it can cut the source off while it
 * changes objects directly), a fresh namespace, and a client for making changes.
 */
export interface KubeWorld extends AsyncDisposable {
  emulator: KubeEmulator;
  proxy: TcpProxy;
  namespace: string;
  core: CoreV1Api;
  /** A kubeconfig whose server is the proxy. */
  proxied(): KubeConfig;
  close(): Promise<void>;
}

export async function kubeWorld(options: KubeEmulatorOptions = {}): Promise<KubeWorld> {
  const namespace = `ns-${randomUUID().slice(0, 8)}`;
  const emulator = await startKubeEmulator({ controllers: false, namespaces: [namespace], ...options });
  const proxy = await startTcpProxy({ port: emulator.port });
  const close = async () => {
    await proxy.close();
    await emulator.close();
  };
  return {
    emulator,
    proxy,
    namespace,
    core: emulator.kubeConfig().makeApiClient(CoreV1Api),
    proxied() {
      const kc = new KubeConfig();
      const port = String(emulator.port);
      kc.loadFromString(emulator.kubeconfigYaml().replace(`127.0.0.1:${port}`, `127.0.0.1:${proxy.port}`));
      return kc;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A running resource source whose dispatch goes to `bus` through the real dispatcher (or is recorded). */
export interface RunningSource {
  eventName: string;
  rec: Recording;
  payloads(): ResourcePayload[];
  /** `type name` of each event, in order: `ADD a`. */
  seen(): string[];
  stop(): Promise<void>;
}

export async function runResourceSource(
  config: SourceConfig<'resource'>,
  kubeConfig: () => KubeConfig,
  options: { bus?: EventBus; eventName?: string; waitReady?: boolean; leases?: LeaseService } = {},
): Promise<RunningSource> {
  const eventName = options.eventName ?? `e${randomUUID().slice(0, 8)}`;
  const services = options.leases ? { leases: options.leases } : {};
  const driver = createResourceSource(sourceInit('resource', config, { eventName, services }), {
    kubeConfig: async () => kubeConfig(),
    retryDelaysMs: [100, 200, 400],
  });
  const rec = recording(options.bus, { eventSourceName: 'test-source', eventName, type: 'resource' });
  const running = driver.start(rec.ctx);
  running.catch(() => undefined);
  if (options.waitReady !== false) {
    await Promise.race([
      waitFor(() => rec.readyCalls > 0, { timeoutMs: 10_000, message: 'the resource source to be ready' }),
      running.then(() => {
        throw new Error('the resource source stopped before it was ready');
      }),
    ]);
  }
  const payloads = () => rec.events.map((e) => e.payload as ResourcePayload);
  return {
    eventName,
    rec,
    payloads,
    seen: () => payloads().map((p) => `${p.type} ${p.body.metadata.name}`),
    async stop() {
      rec.stop();
      await within(
        running.catch(() => undefined),
        5000,
        'the resource source to stop',
      );
    },
  };
}

/** Creates a ConfigMap with `data` and `labels` in the world's namespace. */
export function createConfigMap(
  world: KubeWorld,
  name: string,
  data: Record<string, string> = {},
  labels: Record<string, string> = {},
) {
  return world.core.createNamespacedConfigMap({
    namespace: world.namespace,
    body: { metadata: { name, labels }, data },
  });
}

export function patchConfigMap(world: KubeWorld, name: string, body: Record<string, unknown>) {
  return world.core.patchNamespacedConfigMap({ name, namespace: world.namespace, body }, asMergePatch);
}

export function deleteConfigMap(world: KubeWorld, name: string) {
  return world.core.deleteNamespacedConfigMap({ name, namespace: world.namespace });
}
